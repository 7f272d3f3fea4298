MsgBox(Format("{1}", "x")
