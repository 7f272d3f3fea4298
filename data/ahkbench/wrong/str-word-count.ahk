WordCount(s) {
    return StrSplit(s, " ").Length
}
