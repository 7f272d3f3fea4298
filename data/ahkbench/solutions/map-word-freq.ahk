WordFreq(text) {
    m := Map()
    for w in StrSplit(text, " ")
        if w != ""
            w := StrLower(w), m[w] := m.Get(w, 0) + 1
    return m
}
