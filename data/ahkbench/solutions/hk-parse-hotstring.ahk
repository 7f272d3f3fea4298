HotstringParts(def) {
    if !RegExMatch(def, "^:([^:]*):(.+?)::(.*)$", &m)
        return ""
    return m[1] "|" m[2] "|" m[3]
}
