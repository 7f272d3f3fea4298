#Requires AutoHotkey v2.1-alpha.9
x := 1
