PadLeft(s, width, char := " ") {
    while StrLen(s) < width
        s := char s
    return s
}
