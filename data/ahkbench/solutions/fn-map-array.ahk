MapArray(arr, fn) {
    out := []
    for v in arr
        out.Push(fn(v))
    return out
}
