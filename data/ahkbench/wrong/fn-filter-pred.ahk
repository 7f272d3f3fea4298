Filter(arr, pred) {
    out := []
    for v in arr
        if !pred(v)
            out.Push(v)
    return out
}
