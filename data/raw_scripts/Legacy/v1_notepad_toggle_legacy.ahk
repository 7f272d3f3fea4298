; Deliberate case: LEGACY AutoHotkey v1 syntax (not valid v2).
; Ctrl+Alt+N activates Notepad if it is open (IfWinExist) or starts it,
; counting activations with legacy "=" assignment and %var% dereferences.
; Command syntax with commas (MsgBox, Run, WinWait) is used throughout.
#NoEnv
SetBatchLines -1
SendMode Input
SetTitleMatchMode, 2
#SingleInstance, Force

appTitle = Notepad
count = 0

^!n::
IfWinExist, %appTitle%
{
    WinActivate
    count += 1
    MsgBox, Notepad activated %count% time(s).
}
else
{
    Run, notepad.exe
    WinWait, %appTitle%, , 5
    if ErrorLevel
        MsgBox, 48, Timeout, Notepad did not start within 5 seconds.
}
return

^!x::
Gosub, ShowCount
ExitApp

ShowCount:
MsgBox, 64, Summary, Total activations: %count%
return
