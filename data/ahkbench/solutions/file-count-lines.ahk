CountLines(name) {
    n := 0
    Loop Read name
        n++
    return n
}
