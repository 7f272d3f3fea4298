MsgBox, Hello world
