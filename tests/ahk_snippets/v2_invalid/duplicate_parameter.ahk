Calc(a, b, a) {
    return a
}
