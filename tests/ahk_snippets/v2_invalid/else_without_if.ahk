x := 1
else
    MsgBox "no if"
