Evens(arr) {
    out := []
    for v in arr
        if Mod(v, 2) = 0
            out.Push(v)
    return out
}
