#Requires AutoHotkey v2.0
; Show the current week (Monday to Sunday) with dates and ISO week number
; in a small window, highlighting today. Uses A_WDay, A_YWeek, DateAdd
; and FormatTime.

today := FormatTime(, "yyyyMMdd")
offset := Mod(A_WDay + 5, 7)          ; days since Monday (A_WDay: 1 = Sunday)
monday := DateAdd(today, -offset, "Days")

week := Gui("+ToolWindow", "Week " SubStr(A_YWeek, 5) " of " SubStr(A_YWeek, 1, 4))
week.SetFont("s10", "Segoe UI")
Loop 7
{
    day := DateAdd(monday, A_Index - 1, "Days")
    label := FormatTime(day, "dddd`td MMMM")
    isToday := SubStr(day, 1, 8) = today
    week.SetFont(isToday ? "bold cBlue" : "norm cDefault")
    week.AddText("xm w220", (isToday ? "> " : "  ") label)
}
week.SetFont("norm cGray s8")
week.AddText("xm", "Day " A_YDay " of the year")
week.Show()
