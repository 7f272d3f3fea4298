WordFreq(text) {
    m := Map()
    for w in StrSplit(text, " ")
        if w != ""
            m[w] := 1
    return m
}
