#Requires AutoHotkey v2.0
x := Map()
Sleep, 100
