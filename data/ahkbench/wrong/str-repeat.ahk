Repeat(s, n) {
    out := s
    Loop n
        out .= s
    return out
}
