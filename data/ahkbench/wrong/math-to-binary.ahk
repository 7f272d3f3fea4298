ToBinary(n) {
    s := ""
    while n > 0
        s .= Mod(n, 2), n := n // 2
    return s
}
