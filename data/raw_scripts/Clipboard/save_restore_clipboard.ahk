#Requires AutoHotkey v2.0
; Save whatever is on the clipboard (text, image or files) to a binary
; .clip file with ClipboardAll, and load it back later. Ctrl+Alt+1 saves,
; Ctrl+Alt+2 restores; useful to keep a screenshot across a reboot.

clipFile := A_ScriptDir "\saved_clipboard.clip"

^!1::
{
    data := ClipboardAll()
    if data.Size = 0
        return MsgBox("The clipboard is empty.")
    f := FileOpen(clipFile, "w")
    f.RawWrite(data)
    f.Close()
    TrayTip(Round(data.Size / 1024, 1) " KB saved", "Clipboard")
}

^!2::
{
    if !FileExist(clipFile)
        return MsgBox("Nothing saved yet.")
    A_Clipboard := ClipboardAll(FileRead(clipFile, "RAW"))
    TrayTip("Clipboard restored", "Clipboard")
}
