#Requires AutoHotkey v2.0
len := StrLen("abc", "extra")
