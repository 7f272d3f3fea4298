Reversed(arr) {
    out := []
    for v in arr
        out.InsertAt(1, v)
    arr.Length := 0
    return out
}
