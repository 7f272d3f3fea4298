Evens(arr) {
    out := []
    for v in arr
        if Mod(v, 2) = 1
            out.Push(v)
    return out
}
