ToBinary(n) {
    if n = 0
        return "0"
    s := ""
    while n > 0
        s := Mod(n, 2) s, n := n // 2
    return s
}
