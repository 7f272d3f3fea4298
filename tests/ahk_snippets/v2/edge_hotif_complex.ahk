#HotIf WinActive("ahk_class Notepad") && !GetKeyState("CapsLock", "T")
F1::MsgBox 1
#HotIf
