x := "a" ; first
    . "b" ; second
    . "c"
