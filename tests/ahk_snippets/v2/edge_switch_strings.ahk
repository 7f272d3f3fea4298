s := "a"
switch s, false {
case "a", "b": MsgBox 1
case "c":
    MsgBox 2
    MsgBox 3
default:
}
