CollatzSteps(n) {
    steps := 0
    while n != 1
        n := Mod(n, 2) ? 3 * n + 1 : n // 2, steps++
    return steps
}
