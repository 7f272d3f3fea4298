Fib(n) {
    a := 1, b := 1
    Loop n
        t := a + b, a := b, b := t
    return a
}
