Expand(s, m) {
    out := ""
    for i, w in StrSplit(s, " ")
        out .= (i > 1 ? " " : "") (m.Has(w) ? m[w] : w)
    return out
}
