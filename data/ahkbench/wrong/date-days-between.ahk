DaysBetween(a, b) => DateDiff(a, b, "Days")
