class Tool {
}
Tool() {
    return 0
}
