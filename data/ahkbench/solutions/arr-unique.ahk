Unique(arr) {
    seen := Map(), out := []
    for v in arr
        if !seen.Has(v)
            seen[v] := true, out.Push(v)
    return out
}
