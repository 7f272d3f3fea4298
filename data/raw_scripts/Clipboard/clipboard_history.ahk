#Requires AutoHotkey v2.0
; Keep a history of the last 15 text clipboard entries using
; OnClipboardChange. Win+V-style: Ctrl+Shift+V opens a menu of the entries
; and pastes the one you pick.
#SingleInstance Force

history := []
maxEntries := 15

OnClipboardChange(Remember)

Remember(dataType)
{
    if dataType != 1 || A_Clipboard = ""   ; 1 = text
        return
    text := A_Clipboard
    for i, item in history
        if item == text
        {
            history.RemoveAt(i)
            break
        }
    history.InsertAt(1, text)
    if history.Length > maxEntries
        history.Pop()
}

Label(text)
{
    oneLine := RegExReplace(text, "\s+", " ")
    return StrLen(oneLine) > 50 ? SubStr(oneLine, 1, 47) "..." : oneLine
}

^+v::
{
    if !history.Length
    {
        ToolTip("Clipboard history is empty")
        SetTimer(() => ToolTip(), -1000)
        return
    }
    m := Menu()
    for item in history
        m.Add(A_Index ". " StrReplace(Label(item), "&", "&&"), PasteEntry)
    m.Show()
}

PasteEntry(itemName, itemPos, *)
{
    A_Clipboard := history[itemPos]
    Send("^v")
}
