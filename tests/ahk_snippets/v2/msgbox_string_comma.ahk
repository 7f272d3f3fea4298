#Requires AutoHotkey v2.0
MsgBox("a, b")
MsgBox "a, b", "Title, with comma"
