TitleCase(s) {
    return StrUpper(s)
}
