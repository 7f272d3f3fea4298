Table(n) {
    rows := ""
    Loop n {
        r := A_Index, line := ""
        Loop n
            line .= (A_Index > 1 ? " " : "") r * A_Index
        rows .= (r > 1 ? "/" : "") line
    }
    return rows
}
