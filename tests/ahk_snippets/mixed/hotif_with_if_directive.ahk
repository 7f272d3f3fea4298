#HotIf WinActive("ahk_exe code.exe")
F5::MsgBox("run")
#HotIf
#IfWinActive ahk_class Notepad
F6::MsgBox("notepad")
