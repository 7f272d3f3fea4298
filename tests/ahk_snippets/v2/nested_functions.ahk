Outer(x) {
    Inner(y) {
        return y * 2
    }
    return Inner(x) + 1
}
MsgBox Outer(2)
