FirstNegative(arr) {
    for v in arr
        if v < 0
            return v
    return 0
}
