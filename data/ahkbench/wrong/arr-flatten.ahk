Flatten(arr) {
    out := []
    for v in arr {
        if v is Array {
            for w in v
                out.Push(w)
        } else
            out.Push(v)
    }
    return out
}
