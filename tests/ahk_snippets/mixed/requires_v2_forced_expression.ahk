#Requires AutoHotkey v2.0
name := "x"
MsgBox % "Name: " name
