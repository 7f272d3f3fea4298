Join(arr, sep) {
    out := ""
    for v in arr
        out .= v sep
    return out
}
