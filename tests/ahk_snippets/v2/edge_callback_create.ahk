cb := CallbackCreate(MyProc, "F", 2)
MyProc(a, b) {
    return a + b
}
CallbackFree(cb)
