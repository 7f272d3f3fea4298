#Requires AutoHotkey v2.0
; Set a reminder: type a time (HH:mm, today or tomorrow if already past)
; and a message; a one-shot SetTimer with a negative period fires at that
; moment and shows the message. Several reminders can be pending at once.
Persistent

AddReminder(hhmm, message)
{
    if !RegExMatch(hhmm, "^([01]?\d|2[0-3]):([0-5]\d)$", &m)
        throw ValueError("Use the HH:mm format, e.g. 14:30")
    due := FormatTime(, "yyyyMMdd") Format("{:02}{:02}00", m[1], m[2])
    if DateDiff(due, A_Now, "Seconds") <= 0
        due := DateAdd(due, 1, "Days")
    ms := DateDiff(due, A_Now, "Seconds") * 1000
    SetTimer(() => MsgBox(message, "Reminder " hhmm, "Iconi 0x40000"), -ms)
    return due
}

^!r::
{
    when := InputBox("Remind me at (HH:mm):", "New reminder", "w240 h110")
    if when.Result != "OK"
        return
    what := InputBox("Message:", "New reminder", "w300 h110", "Stretch your legs")
    if what.Result != "OK"
        return
    try
    {
        due := AddReminder(when.Value, what.Value)
        TrayTip("Reminder set for " FormatTime(due, "ddd HH:mm"), "Reminders")
    }
    catch ValueError as e
        MsgBox(e.Message, "Reminder", "Icon!")
}
