Halvings(n) {
    count := 0
    while n > 0
        n := n // 2, count++
    return count
}
