#Requires AutoHotkey v2.0
; Copy a project folder to a dated backup folder such as
; D:\Backups\project_2024-05-17_1430, skipping build output and temporary
; files. Uses Loop Files with the R option and DirCreate for sub-folders.

source := A_MyDocuments "\project"
backupRoot := A_Desktop "\Backups"
skipDirs := ["\bin\", "\obj\", "\.git\", "\node_modules\"]
skipExts := Map("tmp", 1, "log", 1, "bak", 1)

if !DirExist(source)
{
    MsgBox("Nothing to back up: " source " does not exist.")
    ExitApp()
}

stamp := FormatTime(, "yyyy-MM-dd_HHmm")
dest := backupRoot "\project_" stamp
copied := 0, skipped := 0

Loop Files source "\*", "FR"
{
    rel := SubStr(A_LoopFileFullPath, StrLen(source) + 1)
    skip := skipExts.Has(StrLower(A_LoopFileExt))
    for dir in skipDirs
        skip := skip || InStr(rel, dir)
    if skip
    {
        skipped++
        continue
    }
    SplitPath(dest rel, , &targetDir)
    DirCreate(targetDir)
    FileCopy(A_LoopFileFullPath, dest rel, true)
    copied++
}
MsgBox(Format("Backup written to {}`n{} copied, {} skipped.", dest, copied, skipped))
