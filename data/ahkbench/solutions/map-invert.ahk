Invert(m) {
    out := Map()
    for k, v in m
        out[v] := k
    return out
}
