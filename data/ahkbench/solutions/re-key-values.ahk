ParseKV(s) {
    m := Map(), pos := 1
    while pos := RegExMatch(s, "\s*([^=;]+?)\s*=\s*([^;]*?)\s*(?:;|$)", &g, pos) {
        m[g[1]] := g[2]
        pos += Max(g.Len, 1)
        if pos > StrLen(s)
            break
    }
    return m
}
