IsPrime(n) {
    if n < 2
        return false
    i := 2
    while i * i <= n {
        if Mod(n, i) = 0
            return false
        i++
    }
    return true
}
