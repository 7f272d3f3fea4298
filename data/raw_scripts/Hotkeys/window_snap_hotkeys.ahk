#Requires AutoHotkey v2.0
; Snap the active window to halves and quarters of the primary monitor's
; work area with Ctrl+Win+arrow keys and Ctrl+Win+Numpad keys.
; Ctrl+Win+C centres the window at two thirds of the screen size.

SnapActive(xFrac, yFrac, wFrac, hFrac)
{
    MonitorGetWorkArea(MonitorGetPrimary(), &left, &top, &right, &bottom)
    width := right - left, height := bottom - top
    WinRestore("A")
    WinMove(Round(left + width * xFrac), Round(top + height * yFrac)
        , Round(width * wFrac), Round(height * hFrac), "A")
}

^#Left::SnapActive(0, 0, 0.5, 1)
^#Right::SnapActive(0.5, 0, 0.5, 1)
^#Up::SnapActive(0, 0, 1, 0.5)
^#Down::SnapActive(0, 0.5, 1, 0.5)

^#Numpad7::SnapActive(0, 0, 0.5, 0.5)
^#Numpad9::SnapActive(0.5, 0, 0.5, 0.5)
^#Numpad1::SnapActive(0, 0.5, 0.5, 0.5)
^#Numpad3::SnapActive(0.5, 0.5, 0.5, 0.5)

^#c::SnapActive(1/6, 1/6, 2/3, 2/3)
