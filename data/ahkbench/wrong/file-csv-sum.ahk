ColumnSum(name, col) {
    total := 0
    Loop Read name {
        if A_Index = 1
            continue
        total += StrSplit(A_LoopReadLine, ",")[1]
    }
    return total
}
