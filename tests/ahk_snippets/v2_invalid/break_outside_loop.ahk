Check() {
    break
}
