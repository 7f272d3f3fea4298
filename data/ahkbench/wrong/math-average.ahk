Average(arr) {
    total := 0
    for v in arr
        total += v
    return total // arr.Length
}
