#Requires AutoHotkey v2.0
; Arrange all open File Explorer windows in a cascade from the top-left
; corner of the primary monitor, each 40 pixels lower and to the right.

ArrangeCascade(winTitle, stepPx := 40, w := 900, h := 600)
{
    MonitorGetWorkArea(MonitorGetPrimary(), &left, &top)
    ids := WinGetList(winTitle)
    for index, hwnd in ids
    {
        if WinGetMinMax(hwnd)
            WinRestore(hwnd)
        offset := (index - 1) * stepPx
        WinMove(left + offset, top + offset, w, h, hwnd)
        WinActivate(hwnd)
    }
    return ids.Length
}

count := ArrangeCascade("ahk_class CabinetWClass")
if count = 0
    MsgBox("No Explorer windows are open.")
