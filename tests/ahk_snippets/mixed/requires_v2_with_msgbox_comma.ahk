#Requires AutoHotkey v2.0
greeting := Map("en", "Hello")
MsgBox, % greeting["en"]
