DayOfYear(stamp) => Integer(FormatTime(stamp, "YDay"))
