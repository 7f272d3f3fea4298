WeekdayName(stamp) {
    names := ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    return names[FormatTime(stamp, "WDay")]
}
