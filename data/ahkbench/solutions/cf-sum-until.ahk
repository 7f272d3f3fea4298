SumUntilNegative(arr) {
    total := 0
    for v in arr {
        if v < 0
            break
        total += v
    }
    return total
}
