#Requires AutoHotkey v2.0
; Ask for a process name (for example notepad.exe) and close every running
; instance of it with ProcessClose, reporting how many were closed.
; A confirmation is required before anything is closed.

name := InputBox("Process to close (e.g. notepad.exe):", "Close process").Value
if name = ""
    ExitApp()
if !InStr(name, ".")
    name .= ".exe"

if !ProcessExist(name)
{
    MsgBox(name " is not running.")
    ExitApp()
}
if MsgBox("Close all instances of " name "?", "Confirm", "OKCancel Icon!") != "OK"
    ExitApp()

closed := 0
while pid := ProcessExist(name)
{
    ProcessClose(pid)
    if !ProcessWaitClose(pid, 3)
        closed++
    if A_Index > 50
        break
}
MsgBox(closed " instance(s) of " name " closed.")
