if RegExMatch("order 123", "(\d+)", &match)
    MsgBox match[1]
clean := RegExReplace("a  b   c", "\s+", " ")
MsgBox clean
