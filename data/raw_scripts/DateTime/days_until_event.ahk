#Requires AutoHotkey v2.0
; Count the days left until upcoming events (birthdays, holidays) with
; DateDiff. An event whose date has passed this year moves to next year.
; The list is sorted by days remaining.

events := Map(
    "New Year", "0101",
    "Spring equinox", "0320",
    "Midsummer", "0621",
    "Halloween", "1031",
    "Winter solstice", "1221"
)

NextOccurrence(mmdd)
{
    today := FormatTime(, "yyyyMMdd")
    candidate := A_YYYY mmdd
    if candidate < today
        candidate := (A_YYYY + 1) mmdd
    return candidate
}

lines := ""
for name, mmdd in events
{
    when := NextOccurrence(mmdd)
    days := DateDiff(when, FormatTime(, "yyyyMMdd"), "Days")
    lines .= Format("{:04}|{:-16} {:4} days  ({})", days, name, days, FormatTime(when, "ddd d MMM yyyy")) "`n"
}
lines := Sort(RTrim(lines, "`n"))
MsgBox(RegExReplace(lines, "m)^\d{4}\|"), "Days until...")
