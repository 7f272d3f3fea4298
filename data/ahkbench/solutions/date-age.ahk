Age(birth, today) {
    years := SubStr(today, 1, 4) - SubStr(birth, 1, 4)
    if SubStr(today, 5, 4) < SubStr(birth, 5, 4)
        years--
    return years
}
