TitleCase(s) {
    return StrTitle(s)
}
