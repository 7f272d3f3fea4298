#Requires AutoHotkey v2.0
; Save the position and size of every visible window to an INI file with
; Ctrl+Alt+S, and put them back with Ctrl+Alt+R (for example after docking
; a laptop). Windows are matched by their process name and class.

layoutFile := A_ScriptDir "\window_layout.ini"

WindowKey(hwnd) => WinGetProcessName(hwnd) "|" WinGetClass(hwnd)

^!s::
{
    if FileExist(layoutFile)
        FileDelete(layoutFile)
    saved := 0
    for hwnd in WinGetList()
    {
        if WinGetTitle(hwnd) = "" || WinGetMinMax(hwnd) = -1
            continue
        WinGetPos(&x, &y, &w, &h, hwnd)
        IniWrite(Format("{},{},{},{}", x, y, w, h), layoutFile, "Layout", WindowKey(hwnd))
        saved++
    }
    TrayTip(saved " window positions saved", "Layout")
}

^!r::
{
    restored := 0
    for hwnd in WinGetList()
    {
        pos := IniRead(layoutFile, "Layout", WindowKey(hwnd), "")
        if pos = ""
            continue
        p := StrSplit(pos, ",")
        WinMove(p[1], p[2], p[3], p[4], hwnd)
        restored++
    }
    TrayTip(restored " windows moved back", "Layout")
}
