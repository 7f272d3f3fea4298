#Requires AutoHotkey v2.0
; A live "window spy": while the script runs, a tooltip near the mouse shows
; the title, class, process and control under the cursor, refreshed every
; 250 ms with SetTimer. F12 copies the current info; Esc quits.

SetTimer(ShowInfo, 250)

ShowInfo()
{
    MouseGetPos(&mx, &my, &hwnd, &control)
    if !hwnd
        return
    info := Format("Title:   {}`nClass:   {}`nProcess: {}`nControl: {}`nMouse:   {}, {}"
        , WinGetTitle(hwnd), WinGetClass(hwnd), WinGetProcessName(hwnd), control, mx, my)
    ToolTip(info, mx + 20, my + 20)
    global lastInfo := info
}

F12::
{
    if IsSet(lastInfo)
    {
        A_Clipboard := lastInfo
        SoundBeep(1200, 80)
    }
}
Esc::ExitApp()
