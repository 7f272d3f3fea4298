Repeat(s, n) {
    out := ""
    Loop n
        out .= s
    return out
}
