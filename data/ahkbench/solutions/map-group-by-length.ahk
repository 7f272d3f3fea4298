GroupByLength(words) {
    m := Map()
    for w in words {
        n := StrLen(w)
        if !m.Has(n)
            m[n] := []
        m[n].Push(w)
    }
    return m
}
