IsPrime(n) {
    if n < 2
        return false
    return Mod(n, 2) = 1 || n = 2
}
