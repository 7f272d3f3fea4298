x := 5
if x > 10
    MsgBox "big"
else if x > 3
    MsgBox "medium"
else
    MsgBox "small"
if (x = 5) {
    y := 1
} else {
    y := 2
}
if x
    if y
        z := 1
    else
        z := 2
else
    z := 3
