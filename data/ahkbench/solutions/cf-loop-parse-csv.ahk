CsvSum(line) {
    total := 0
    Loop Parse line, "CSV"
        total += A_LoopField
    return total
}
