#Requires AutoHotkey v2.0
; Store a small program's settings under HKEY_CURRENT_USER\Software: a
; launch counter (REG_DWORD), the last run time (REG_SZ) and a list of
; recent files (REG_MULTI_SZ). Win+Shift+R deletes the whole key again.

appKey := "HKCU\Software\AhkStudioSamples\SettingsDemo"

LoadCount() => RegRead(appKey, "LaunchCount", 0)

SaveRun()
{
    RegWrite(LoadCount() + 1, "REG_DWORD", appKey, "LaunchCount")
    RegWrite(FormatTime(, "yyyy-MM-dd HH:mm"), "REG_SZ", appKey, "LastRun")
    recent := RegRead(appKey, "RecentFiles", "")
    list := A_ScriptFullPath
    for entry in StrSplit(recent, "`n")
        if entry != "" && entry != A_ScriptFullPath && A_Index < 5
            list .= "`n" entry
    RegWrite(list, "REG_MULTI_SZ", appKey, "RecentFiles")
}

SaveRun()
MsgBox(Format("This demo has run {} time(s).`nLast run: {}"
    , LoadCount(), RegRead(appKey, "LastRun")), "Registry settings")

#+r::
{
    try RegDeleteKey(appKey)
    MsgBox("Settings removed.")
}
