Age(birth, today) => SubStr(today, 1, 4) - SubStr(birth, 1, 4)
