#Requires AutoHotkey v2.0
; Close every window whose title contains a given word (for example all
; "Untitled" Notepad windows), after listing them and asking first. Uses
; SetTitleMatchMode 2, WinGetList, WinClose and WinWaitClose.

SetTitleMatchMode(2)

CloseMatching(word) {
    ids := WinGetList(word)
    if !ids.Length {
        MsgBox("No window title contains '" word "'.")
        return 0
    }
    list := ""
    for hwnd in ids {
        list .= "• " WinGetTitle(hwnd) "`n"
    }
    if MsgBox("Close these " ids.Length " window(s)?`n`n" list, "Close windows", "YesNo Icon?") != "Yes" {
        return 0
    }
    closed := 0
    for hwnd in ids {
        WinClose(hwnd)
        if WinWaitClose(hwnd, , 2) {
            closed++
        }
    }
    return closed
}

word := InputBox("Close windows whose title contains:", "Close windows", , "Untitled").Value
if word != "" {
    n := CloseMatching(word)
    TrayTip(n " window(s) closed", "Close windows")
}
