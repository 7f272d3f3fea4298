AddHours(stamp, h) => DateAdd(stamp, h, "Hours")
