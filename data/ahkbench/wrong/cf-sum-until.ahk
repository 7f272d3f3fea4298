SumUntilNegative(arr) {
    total := 0
    for v in arr {
        if v < 0
            continue
        total += v
    }
    return total
}
