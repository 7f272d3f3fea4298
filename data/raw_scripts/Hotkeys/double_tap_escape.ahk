#Requires AutoHotkey v2.0
; Close the active window only when Escape is pressed twice quickly.
; A single press is passed through unchanged (the ~ prefix), so dialogs
; still close as normal. The window is closed, never killed.

global lastEscape := 0

~Esc::
{
    global lastEscape
    now := A_TickCount
    if (now - lastEscape < 400)
    {
        title := WinGetTitle("A")
        if title != "" && !InStr(title, "Program Manager")
            WinClose("A")
        lastEscape := 0
        return
    }
    lastEscape := now
}
