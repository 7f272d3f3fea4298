#Requires AutoHotkey v2.0
; Log the start and end of work sessions to a CSV file: Ctrl+Alt+F9 starts
; a session, Ctrl+Alt+F10 ends it and records the duration in minutes.
; Ctrl+Alt+F11 shows today's total.

logFile := A_ScriptDir "\work_log.csv"
sessionStart := ""

^!F9::
{
    global sessionStart
    sessionStart := A_Now
    TrayTip("Session started at " FormatTime(sessionStart, "HH:mm"), "Work log")
}

^!F10::
{
    global sessionStart
    if sessionStart = ""
        return MsgBox("No session is running.")
    minutes := DateDiff(A_Now, sessionStart, "Minutes")
    if !FileExist(logFile)
        FileAppend("date,start,end,minutes`n", logFile)
    FileAppend(Format("{},{},{},{}`n", FormatTime(sessionStart, "yyyy-MM-dd")
        , FormatTime(sessionStart, "HH:mm"), FormatTime(, "HH:mm"), minutes), logFile)
    sessionStart := ""
    TrayTip(minutes " minutes logged", "Work log")
}

^!F11::
{
    today := FormatTime(, "yyyy-MM-dd"), total := 0
    if FileExist(logFile)
        Loop Read logFile
        {
            cols := StrSplit(A_LoopReadLine, ",")
            if cols.Length = 4 && cols[1] = today
                total += cols[4]
        }
    MsgBox(Format("Today: {}h {:02}m", total // 60, Mod(total, 60)), "Work log")
}
