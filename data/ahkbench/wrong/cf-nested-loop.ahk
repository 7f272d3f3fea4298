Table(n) {
    rows := ""
    Loop n {
        line := ""
        Loop n
            line .= (A_Index > 1 ? " " : "") A_Index * A_Index
        rows .= (rows != "" ? "/" : "") line
    }
    return rows
}
