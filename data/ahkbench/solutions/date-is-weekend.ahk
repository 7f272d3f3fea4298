IsWeekend(stamp) {
    d := FormatTime(stamp, "WDay")
    return d = 1 || d = 7
}
