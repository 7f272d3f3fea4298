AddDays(stamp, n) => FormatTime(DateAdd(stamp, n, "Days"), "yyyyMMdd")
