Chunk(arr, size) {
    out := []
    for i, v in arr {
        if Mod(i - 1, size) = 0
            out.Push([])
        out[out.Length].Push(v)
    }
    return out
}
