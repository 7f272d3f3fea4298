#Requires AutoHotkey v2.0
; Win+Alt+C moves the active window to the centre of the monitor it is on,
; keeping its size. Works with several monitors by finding the monitor
; that contains the middle of the window.

MonitorFromPoint(x, y)
{
    Loop MonitorGetCount()
    {
        MonitorGetWorkArea(A_Index, &l, &t, &r, &b)
        if x >= l && x < r && y >= t && y < b
            return A_Index
    }
    return MonitorGetPrimary()
}

#!c::
{
    if WinGetMinMax("A") != 0
        WinRestore("A")
    WinGetPos(&x, &y, &w, &h, "A")
    mon := MonitorFromPoint(x + w // 2, y + h // 2)
    MonitorGetWorkArea(mon, &left, &top, &right, &bottom)
    WinMove(left + (right - left - w) // 2, top + (bottom - top - h) // 2, , , "A")
}
