IsWeekend(stamp) {
    d := FormatTime(stamp, "WDay")
    return d >= 6
}
