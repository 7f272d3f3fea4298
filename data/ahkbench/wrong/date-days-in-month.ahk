DaysInMonth(year, month) => month = 2 ? 28 : (Mod(month, 2) ? 31 : 30)
