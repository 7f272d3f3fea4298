MinutesBetween(a, b) => DateDiff(b, a, "Minutes")
