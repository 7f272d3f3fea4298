#Requires AutoHotkey v2.0
; Win+H toggles whether File Explorer shows hidden files by flipping the
; "Hidden" value under Explorer\Advanced, then asks open Explorer windows
; to refresh by sending F5 to each of them.

advanced := "HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\Advanced"

#h::
{
    current := RegRead(advanced, "Hidden", 2)
    newValue := current = 1 ? 2 : 1   ; 1 = show, 2 = hide
    RegWrite(newValue, "REG_DWORD", advanced, "Hidden")
    for hwnd in WinGetList("ahk_class CabinetWClass")
        PostMessage(0x111, 41504, 0, , hwnd)   ; WM_COMMAND "Refresh"
    ToolTip("Hidden files " (newValue = 1 ? "shown" : "hidden"))
    SetTimer(() => ToolTip(), -1200)
}
