ApplyN(fn, n, x) {
    Loop n
        x := fn(x)
    return x
}
