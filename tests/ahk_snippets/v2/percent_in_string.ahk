total := 42
MsgBox("Progress: 100% done, total " total "%")
label := "50%"
