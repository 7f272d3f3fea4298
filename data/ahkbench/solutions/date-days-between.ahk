DaysBetween(a, b) => DateDiff(b, a, "Days")
