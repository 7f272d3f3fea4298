Gcd(a, b) {
    while b
        t := Mod(a, b), a := b, b := t
    return a
}
