Helper() {
    return 1
}
helper() {
    return 2
}
