TrimLines(text) {
    out := ""
    for i, line in StrSplit(text, "`n")
        out .= (i > 1 ? "`n" : "") Trim(line, " `t")
    return out
}
