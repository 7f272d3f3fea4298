Abbrevs(pairs) {
    on := 0
    for p in pairs {
        Hotstring("::" p[1], p[2] = "" ? "-" : p[2])
        if p[2] = ""
            Hotstring("::" p[1], , "Off")
        else
            on++
    }
    return on
}
