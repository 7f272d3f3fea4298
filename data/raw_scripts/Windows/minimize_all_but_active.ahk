#Requires AutoHotkey v2.0
; Ctrl+Win+M minimizes every visible window except the active one ("focus
; mode"); pressing it again restores the windows it minimized, in order.

global minimized := []

^#m::
{
    global minimized
    if minimized.Length
    {
        for hwnd in minimized
            if WinExist(hwnd)
                WinRestore(hwnd)
        minimized := []
        return
    }
    active := WinExist("A")
    for hwnd in WinGetList()
    {
        if hwnd = active || WinGetTitle(hwnd) = ""
            continue
        if WinGetMinMax(hwnd) = -1
            continue
        style := WinGetStyle(hwnd)
        if !(style & 0x10000000)  ; WS_VISIBLE
            continue
        if WinGetClass(hwnd) ~= "^(Progman|Shell_TrayWnd|WorkerW)$"
            continue
        WinMinimize(hwnd)
        minimized.Push(hwnd)
    }
}
