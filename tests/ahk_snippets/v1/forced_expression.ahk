x := 5
MsgBox % "x is " x
