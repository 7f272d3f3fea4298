msg := "Hello world
MsgBox msg
