#Requires AutoHotkey v2.0
; Word-wrap text to a maximum line width without breaking words.
; Ctrl+Alt+W wraps the selected text at 60 characters and pastes it back.

WrapText(text, width := 60)
{
    wrapped := ""
    Loop Parse text, "`n", "`r"
    {
        line := ""
        for word in StrSplit(A_LoopField, " ")
        {
            if word = ""
                continue
            if line != "" && StrLen(line) + 1 + StrLen(word) > width
            {
                wrapped .= line "`n"
                line := word
            }
            else
                line .= (line = "" ? "" : " ") word
        }
        wrapped .= line "`n"
    }
    return RTrim(wrapped, "`n")
}

^!w::
{
    A_Clipboard := ""
    Send("^c")
    if ClipWait(1)
    {
        A_Clipboard := WrapText(A_Clipboard)
        Send("^v")
    }
}
