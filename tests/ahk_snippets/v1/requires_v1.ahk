#Requires AutoHotkey v1.1.33+
x := 1
