Bind(key, counter) {
    fn := (*) => counter.n
    Hotkey(key, fn)
    return fn
}
