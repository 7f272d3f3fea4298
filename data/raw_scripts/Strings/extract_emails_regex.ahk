#Requires AutoHotkey v2.0
; Extract every e-mail address from the clipboard text with RegExMatch in a
; loop, drop duplicates (case-insensitive) and put the sorted, one-per-line
; list back on the clipboard. Shows how many addresses were found.

ExtractEmails(text)
{
    found := Map()
    found.CaseSense := false
    pattern := "i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}"
    pos := 1
    while (pos := RegExMatch(text, pattern, &match, pos))
    {
        found[match[0]] := true
        pos += match.Len
    }
    list := ""
    for address in found
        list .= address "`n"
    return Sort(RTrim(list, "`n"), "U")
}

if A_Clipboard = ""
{
    MsgBox("The clipboard holds no text.")
    ExitApp()
}
emails := ExtractEmails(A_Clipboard)
count := emails = "" ? 0 : StrSplit(emails, "`n").Length
A_Clipboard := emails
MsgBox(count " unique e-mail address(es) copied to the clipboard.")
