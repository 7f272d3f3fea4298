f(x?) {
    return IsSet(x) ? x : unset
}
y := f()
