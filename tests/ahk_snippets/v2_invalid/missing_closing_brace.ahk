Check(x) {
    if (x > 1) {
        return true
    return false
}
