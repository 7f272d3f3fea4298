#HotIf WinActive("ahk_exe notepad.exe")
^s::Send "^s"
F1::MsgBox "Notepad help"
#HotIf
F1::MsgBox "General help"
