RotateLeft(s, n) {
    if s = ""
        return s
    n := Mod(n, StrLen(s))
    return SubStr(s, n + 1) SubStr(s, 1, n)
}
