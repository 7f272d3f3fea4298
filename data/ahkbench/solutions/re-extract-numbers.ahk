Numbers(s) {
    out := [], pos := 1
    while pos := RegExMatch(s, "\d+", &m, pos)
        out.Push(Number(m[0])), pos += m.Len
    return out
}
