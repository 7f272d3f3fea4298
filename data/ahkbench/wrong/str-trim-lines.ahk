TrimLines(text) {
    return Trim(text)
}
