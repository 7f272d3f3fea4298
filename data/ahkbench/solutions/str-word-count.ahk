WordCount(s) {
    n := 0
    for part in StrSplit(Trim(s), " ")
        if part != ""
            n++
    return n
}
