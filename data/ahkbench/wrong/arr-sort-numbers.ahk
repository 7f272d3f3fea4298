SortNumbers(arr) {
    s := ""
    for v in arr
        s .= v "`n"
    out := []
    for v in StrSplit(Sort(RTrim(s, "`n")), "`n")
        out.Push(Number(v))
    return out
}
