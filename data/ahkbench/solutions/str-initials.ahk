Initials(name) {
    out := ""
    for word in StrSplit(name, " ")
        if word != ""
            out .= StrUpper(SubStr(word, 1, 1))
    return out
}
