MakeCounter() {
    n := 0
    return () => ++n
}
