Abbrevs(pairs) {
    for p in pairs
        Hotstring("::" p[1], p[2] = "" ? "-" : p[2])
    return pairs.Length
}
