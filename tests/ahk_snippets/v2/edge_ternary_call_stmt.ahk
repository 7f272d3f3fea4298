x := 1
x ? MsgBox(1) : MsgBox(2)
