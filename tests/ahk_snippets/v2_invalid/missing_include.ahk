#Include helpers_that_do_not_exist.ahk
MsgBox "x"
