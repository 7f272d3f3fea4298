#NoEnv
#SingleInstance, Force
SendMode Input
SetWorkingDir %A_ScriptDir%
SetTitleMatchMode, 2

^!Left::
    WinGetPos, X, Y, W, H, A
    WinMove, A,, 0, 0, A_ScreenWidth/2, A_ScreenHeight
return

^!Right::
    WinGetPos, X, Y, W, H, A
    WinMove, A,, A_ScreenWidth/2, 0, A_ScreenWidth/2, A_ScreenHeight
return

^!t::
    WinGet, ExStyle, ExStyle, A
    if (ExStyle & 0x8)
        WinSet, AlwaysOnTop, Off, A
    else
        WinSet, AlwaysOnTop, On, A
return
