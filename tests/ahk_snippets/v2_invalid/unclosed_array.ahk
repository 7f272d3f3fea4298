items := [1, 2, 3
MsgBox items.Length
