SumEvenIndexes(arr) {
    total := 0
    for i, v in arr {
        if Mod(i, 2)
            continue
        total += v
    }
    return total
}
