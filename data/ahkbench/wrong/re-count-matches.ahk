CountWords(s, word) {
    RegExReplace(s, word, "", &n)
    return n
}
