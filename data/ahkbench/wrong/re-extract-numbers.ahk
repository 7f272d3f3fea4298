Numbers(s) {
    out := []
    if RegExMatch(s, "\d+", &m)
        out.Push(Number(m[0]))
    return out
}
