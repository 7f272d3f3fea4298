Swap(a, b) {
    t := a, a := b, b := t
}
