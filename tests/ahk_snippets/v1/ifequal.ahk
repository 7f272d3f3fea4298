count := 3
IfEqual, count, 3, MsgBox, three
