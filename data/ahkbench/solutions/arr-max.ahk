MaxOf(arr) {
    best := arr[1]
    for v in arr
        if v > best
            best := v
    return best
}
