Send "{Ctrl down}c{Ctrl up}"
SendInput "{Enter}"
ControlSend "{Tab}", "Edit1", "ahk_class Notepad"
