Gcd(a, b) => Min(a, b)
