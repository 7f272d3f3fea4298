#Requires AutoHotkey v2.0
; Calculate an exact age in years, months and days from a birth date typed
; as YYYY-MM-DD, plus the total number of days lived and the weekday of
; birth. Invalid dates are rejected with a message.

ParseDate(text)
{
    if !RegExMatch(text, "^(\d{4})-(\d{2})-(\d{2})$", &m)
        return ""
    stamp := m[1] m[2] m[3]
    return IsTime(stamp) ? stamp : ""
}

AgeParts(birth, today)
{
    years := SubStr(today, 1, 4) - SubStr(birth, 1, 4)
    if SubStr(today, 5, 4) < SubStr(birth, 5, 4)
        years--
    anniversary := (SubStr(birth, 1, 4) + years) SubStr(birth, 5)
    months := 0
    Loop
    {
        nextMonth := SubStr(anniversary, 5, 2) + 1
        yyyy := SubStr(anniversary, 1, 4) + (nextMonth > 12)
        candidate := yyyy Format("{:02}", nextMonth > 12 ? 1 : nextMonth) SubStr(anniversary, 7)
        if !IsTime(candidate) || candidate > today
            break
        anniversary := candidate, months++
    }
    return {years: years, months: months, days: DateDiff(today, anniversary, "Days")}
}

reply := InputBox("Birth date (YYYY-MM-DD):", "Age", , "1990-07-15")
if reply.Result != "OK"
    ExitApp()
birth := ParseDate(reply.Value)
today := FormatTime(, "yyyyMMdd")
if birth = "" || birth > today
{
    MsgBox("Please enter a valid past date such as 1990-07-15.")
    ExitApp()
}
age := AgeParts(birth, today)
MsgBox(Format("Age: {} years, {} months, {} days`nDays lived: {}`nBorn on a {}"
    , age.years, age.months, age.days, DateDiff(today, birth, "Days"), FormatTime(birth, "dddd")))
