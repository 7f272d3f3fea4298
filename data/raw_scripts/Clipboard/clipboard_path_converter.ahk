#Requires AutoHotkey v2.0
; Convert a file path on the clipboard between Windows and Unix style:
; Ctrl+Alt+/ turns C:\Users\me\file.txt into /c/Users/me/file.txt and
; Ctrl+Alt+\ does the reverse. The result replaces the clipboard.

ToUnix(path)
{
    path := Trim(path, ' "')
    if RegExMatch(path, "^([A-Za-z]):\\(.*)$", &m)
        path := "/" StrLower(m[1]) "/" m[2]
    return StrReplace(path, "\", "/")
}

ToWindows(path)
{
    path := Trim(path, ' "')
    if RegExMatch(path, "^/([a-zA-Z])/(.*)$", &m)
        path := StrUpper(m[1]) ":/" m[2]
    return StrReplace(path, "/", "\")
}

Convert(fn)
{
    if A_Clipboard = ""
        return
    A_Clipboard := fn(A_Clipboard)
    ToolTip(A_Clipboard)
    SetTimer(() => ToolTip(), -1500)
}

^!/::Convert(ToUnix)
^!\::Convert(ToWindows)
