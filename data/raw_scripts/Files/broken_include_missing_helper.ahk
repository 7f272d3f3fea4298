#Requires AutoHotkey v2.0
; Deliberate case: a BROKEN #Include. The helper file named below does not
; exist anywhere in the corpus, so include validation must report it and
; the interpreter refuses to load the script. The rest is valid v2: it
; would copy a file to a backup name using a helper's BackupName().
#Include "helpers\missing_helper.ahk"

source := A_Args.Length ? A_Args[1] : A_ScriptFullPath
if !FileExist(source)
{
    MsgBox("No such file: " source)
    ExitApp()
}

target := BackupName(source)
FileCopy(source, target, true)
MsgBox("Backup written:`n" target)
