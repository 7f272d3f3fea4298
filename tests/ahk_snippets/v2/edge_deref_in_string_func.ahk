name := "x"
MsgBox Format("%{1}%", name)
