Average(arr) {
    total := 0
    for v in arr
        total += v
    return Round(total / arr.Length, 2)
}
