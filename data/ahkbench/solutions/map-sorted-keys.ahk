SortedKeys(m) {
    s := ""
    for k in m
        s .= k "`n"
    return StrReplace(Sort(RTrim(s, "`n")), "`n", ",")
}
