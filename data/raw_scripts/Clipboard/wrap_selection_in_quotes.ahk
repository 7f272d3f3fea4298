#Requires AutoHotkey v2.0
; Wrap the selected text in quotes or brackets through the clipboard:
; Ctrl+Alt+' -> 'text', Ctrl+Alt+2 -> "text", Ctrl+Alt+9 -> (text),
; Ctrl+Alt+[ -> [text]. The original clipboard is put back after pasting.

WrapSelection(left, right := left)
{
    saved := ClipboardAll()
    A_Clipboard := ""
    Send("^c")
    if ClipWait(0.5)
    {
        A_Clipboard := left A_Clipboard right
        Send("^v")
        Sleep(100)
    }
    A_Clipboard := saved
}

^!'::WrapSelection("'")
^!2::WrapSelection('"')
^!9::WrapSelection("(", ")")
^![::WrapSelection("[", "]")
