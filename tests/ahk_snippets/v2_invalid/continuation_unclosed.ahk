text := "
(
this section never ends
