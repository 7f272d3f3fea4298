text := "
(
Progress is 100% complete.
Use %name% placeholders, commas, "quotes" and ; semicolons freely.
)"
MsgBox text
