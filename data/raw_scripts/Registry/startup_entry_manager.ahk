#Requires AutoHotkey v2.0
; Add or remove this script from the current user's start-up programs
; (the Run key), and show the entries that are there now. The user picks
; the action with a Yes/No/Cancel message box.

runKey := "HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
entryName := "AhkSampleStartup"

ListStartup()
{
    text := ""
    Loop Reg runKey
        text .= A_LoopRegName " = " RegRead() "`n"
    return text = "" ? "(none)" : text
}

isOn := RegRead(runKey, entryName, "") != ""
choice := MsgBox("Start-up entries:`n`n" ListStartup()
    . "`nYes = add this script, No = remove it."
    , "Start-up (" (isOn ? "enabled" : "disabled") ")", "YesNoCancel")

switch choice
{
    case "Yes":
        RegWrite('"' A_AhkPath '" "' A_ScriptFullPath '"', "REG_SZ", runKey, entryName)
    case "No":
        try RegDelete(runKey, entryName)
    default:
        ExitApp()
}
MsgBox("Now:`n`n" ListStartup())
