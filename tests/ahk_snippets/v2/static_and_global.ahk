counter := 0
Bump() {
    global counter
    static calls := 0
    calls++
    counter += 1
    return calls
}
Bump()
MsgBox counter
