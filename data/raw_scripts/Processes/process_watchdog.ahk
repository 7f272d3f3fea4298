#Requires AutoHotkey v2.0
; A watchdog that keeps a program running: every 5 seconds it checks with
; ProcessExist whether the program is alive and restarts it if not. The
; number of restarts is shown in the tray tooltip. Ctrl+Alt+Q stops it.
Persistent

watched := "notepad.exe"
restarts := 0

CheckAlive()
{
    global restarts
    if ProcessExist(watched)
        return
    try
    {
        Run(watched)
        restarts += 1
        A_IconTip := Format("Watching {} ({} restart{})", watched, restarts, restarts = 1 ? "" : "s")
    }
    catch as err
    {
        SetTimer(CheckAlive, 0)
        MsgBox("Cannot start " watched ": " err.Message)
    }
}

A_IconTip := "Watching " watched
SetTimer(CheckAlive, 5000)
CheckAlive()

^!q::ExitApp()
