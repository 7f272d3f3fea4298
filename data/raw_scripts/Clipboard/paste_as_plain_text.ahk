#Requires AutoHotkey v2.0
; Ctrl+Shift+Alt+V pastes the clipboard as plain text: formatting (fonts,
; colours, HTML) is dropped by reassigning A_Clipboard to its own text,
; leading/trailing spaces are trimmed, and the rich version is restored
; after the paste.

^+!v::
{
    if !DllCall("IsClipboardFormatAvailable", "UInt", 13)  ; CF_UNICODETEXT
        return
    rich := ClipboardAll()
    plain := Trim(A_Clipboard, " `t`r`n")
    A_Clipboard := plain
    ClipWait(1)
    Send("^v")
    Sleep(150)
    A_Clipboard := rich
}
