keys := Map("save", "^s")
Send, {Ctrl down}s{Ctrl up}
MsgBox(keys["save"])
