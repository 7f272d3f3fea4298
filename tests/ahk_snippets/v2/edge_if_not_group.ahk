a := 1, b := 0
if !(a || b)
    MsgBox 1
