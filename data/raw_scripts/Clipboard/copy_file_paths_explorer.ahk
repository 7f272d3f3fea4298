#Requires AutoHotkey v2.0
; In File Explorer, Ctrl+Shift+C copies the full paths of the selected files
; (one per line) instead of the files themselves. It uses the Shell COM
; object to find the Explorer window that is active.

#HotIf WinActive("ahk_class CabinetWClass")
^+c::
{
    paths := SelectedPaths(WinActive("A"))
    if paths = ""
        return
    A_Clipboard := paths
    n := StrSplit(paths, "`n").Length
    ToolTip(n " path(s) copied")
    SetTimer(() => ToolTip(), -1200)
}
#HotIf

SelectedPaths(hwnd)
{
    for window in ComObject("Shell.Application").Windows
    {
        try
        {
            if window.HWND != hwnd
                continue
            out := ""
            for item in window.Document.SelectedItems
                out .= (out = "" ? "" : "`n") item.Path
            return out
        }
    }
    return ""
}
