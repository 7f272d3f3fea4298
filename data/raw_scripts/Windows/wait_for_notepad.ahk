#Requires AutoHotkey v2.0
; Start Notepad if it is not running yet, wait until its window exists,
; then activate it, type a line and report the window's title. Shows
; WinExist, WinWait with a timeout, WinActivate and WinWaitActive.

if !WinExist("ahk_exe notepad.exe")
    Run("notepad.exe")

hwnd := WinWait("ahk_exe notepad.exe", , 10)
if !hwnd
{
    MsgBox("Notepad did not open within 10 seconds.", , "Iconx")
    ExitApp()
}
WinActivate(hwnd)
if WinWaitActive(hwnd, , 5)
{
    SendText("Hello from AutoHotkey v2 at " FormatTime(, "HH:mm:ss") "`n")
    MsgBox("Typed into: " WinGetTitle(hwnd))
}
