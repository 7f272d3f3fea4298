HotstringParts(def) {
    parts := StrSplit(def, ":")
    return parts[2] "|" parts[3] "|" parts[5]
}
