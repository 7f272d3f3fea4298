^j::MsgBox "one"
^j::MsgBox "two"
