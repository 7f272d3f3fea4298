Percent(part, whole) {
    if whole <= 0 || part < 0
        throw ValueError("bad arguments")
    return Round(part / whole * 100)
}
