try {
    x := 1
} catch err {
    MsgBox "v1-style catch var"
}
