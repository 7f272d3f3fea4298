CountWords(s, word) {
    RegExReplace(s, "i)\b" word "\b", "", &n)
    return n
}
