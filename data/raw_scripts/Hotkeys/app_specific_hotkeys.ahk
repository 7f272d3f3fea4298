#Requires AutoHotkey v2.0
; Context-sensitive hotkeys: the same keys do different things depending on
; which program is active, using #HotIf with WinActive().
; In Notepad F2 inserts a timestamp line; in the browser F2 duplicates the tab;
; everywhere else F2 keeps its normal meaning.

#HotIf WinActive("ahk_exe notepad.exe")
F2::
{
    SendText("---- " FormatTime(, "yyyy-MM-dd HH:mm") " ----`n")
}
^+s::MsgBox("Save As is disabled in this demo.")
#HotIf

#HotIf WinActive("ahk_exe chrome.exe") or WinActive("ahk_exe firefox.exe")
F2::
{
    Send("!d")
    Sleep(50)
    Send("!{Enter}")
}
#HotIf

#HotIf WinActive("ahk_class CabinetWClass")
^!n::Send("^+n")  ; new folder in Explorer
#HotIf
