Expand(s, m) {
    for k, v in m
        s := StrReplace(s, k, v, , , 1)
    return s
}
