#Requires AutoHotkey v2.0
; Hotstrings that type the current date and time in several formats.
; Type ]d for an ISO date, ]t for the time, ]dt for both, and ]w for the
; week day, e.g. "2024-05-17", "14:32", "Friday".

:X*:]d::SendText(FormatTime(, "yyyy-MM-dd"))
:X*:]t::SendText(FormatTime(, "HH:mm"))
:X*:]w::SendText(FormatTime(, "dddd"))

:*:]dt::
{
    stamp := FormatTime(, "yyyy-MM-dd HH:mm:ss")
    SendText(stamp)
}

; ]tomorrow types tomorrow's date in long form.
:*:]tomorrow::
{
    next := DateAdd(A_Now, 1, "Days")
    SendText(FormatTime(next, "dddd, MMMM d, yyyy"))
}
