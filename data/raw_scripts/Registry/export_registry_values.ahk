#Requires AutoHotkey v2.0
; Export every value under a registry key (recursively) into a tab-separated
; text file: full key path, value name, type and data. The key to export
; comes from the first command-line argument or a default.

startKey := A_Args.Length ? A_Args[1] : "HKCU\Control Panel\Desktop"
outFile := A_Desktop "\registry_export.tsv"

lines := "Key`tName`tType`tData`n"
count := 0
Loop Reg startKey, "VR"
{
    try
        data := RegRead()
    catch
        data := "(unreadable)"
    if A_LoopRegType = "REG_BINARY"
        data := SubStr(data, 1, 64) (StrLen(data) > 64 ? "..." : "")
    data := StrReplace(StrReplace(data, "`n", "\n"), "`t", " ")
    lines .= A_LoopRegKey "`t" A_LoopRegName "`t" A_LoopRegType "`t" data "`n"
    count++
}

if FileExist(outFile)
    FileDelete(outFile)
FileAppend(lines, outFile, "UTF-8")
MsgBox(count " values from " startKey " written to`n" outFile)
