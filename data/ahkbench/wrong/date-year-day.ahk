DayOfYear(stamp) => DateDiff(stamp, SubStr(stamp, 1, 4) "0101", "Days")
