Add(a, b) {
    return a + b
}
MsgBox Add(1)
