WeekdayName(stamp) {
    names := ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return names[FormatTime(stamp, "WDay")]
}
