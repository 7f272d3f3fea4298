PadLeft(s, width, char := " ") {
    while StrLen(s) < width
        s := s char
    return s
}
