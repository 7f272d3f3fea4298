MonthYear(stamp) {
    names := ["January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December"]
    return names[Integer(SubStr(stamp, 5, 2))] " " SubStr(stamp, 1, 4)
}
