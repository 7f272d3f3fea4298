PowMod(base, exp, m) {
    result := 1, base := Mod(base, m)
    while exp > 0 {
        if exp & 1
            result := Mod(result * base, m)
        base := Mod(base * base, m), exp >>= 1
    }
    return result
}
