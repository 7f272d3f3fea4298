#IfWinActive, ahk_class Notepad
^s::Send, ^s
#IfWinActive
