DaysInMonth(year, month) {
    first := Format("{:04}{:02}01", year, month)
    next := month = 12 ? Format("{:04}0101", year + 1) : Format("{:04}{:02}01", year, month + 1)
    return DateDiff(next, first, "Days")
}
