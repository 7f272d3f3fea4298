#Requires AutoHotkey v2.0
; Convert the selected text to Title Case, UPPER CASE or lower case.
; Ctrl+Shift+U cycles through the three styles: the selection is copied,
; transformed with StrTitle/StrUpper/StrLower and pasted back, and the
; previous clipboard contents are restored afterwards.

global caseStep := 0

^+u::
{
    global caseStep
    saved := ClipboardAll()
    A_Clipboard := ""
    Send("^c")
    if !ClipWait(1)
    {
        A_Clipboard := saved
        return
    }
    caseStep := Mod(caseStep, 3) + 1
    switch caseStep
    {
        case 1: A_Clipboard := StrTitle(A_Clipboard)
        case 2: A_Clipboard := StrUpper(A_Clipboard)
        default: A_Clipboard := StrLower(A_Clipboard)
    }
    Send("^v")
    Sleep(100)
    A_Clipboard := saved
}
