#Requires AutoHotkey v2.0
; Toggle "always on top" for the active window with Ctrl+Alt+T.
; A short tooltip tells you whether the window is now pinned or unpinned,
; and Ctrl+Alt+Shift+T lists every window that is currently pinned.
#SingleInstance Force

^!t::
{
    hwnd := WinExist("A")
    if !hwnd
        return
    WinSetAlwaysOnTop(-1, hwnd)
    pinned := WinGetExStyle(hwnd) & 0x8  ; WS_EX_TOPMOST
    title := WinGetTitle(hwnd)
    ShowTip((pinned ? "Pinned: " : "Unpinned: ") title)
}

^!+t::
{
    report := ""
    for hwnd in WinGetList()
    {
        if (WinGetExStyle(hwnd) & 0x8) && WinGetTitle(hwnd) != ""
            report .= WinGetTitle(hwnd) "`n"
    }
    MsgBox(report = "" ? "No window is pinned." : report, "Pinned windows")
}

ShowTip(text, ms := 1500)
{
    ToolTip(text)
    SetTimer(() => ToolTip(), -ms)
}
