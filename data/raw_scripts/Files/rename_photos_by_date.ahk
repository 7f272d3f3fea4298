#Requires AutoHotkey v2.0
; Rename every .jpg in a folder to its modification date and time, e.g.
; IMG_0042.jpg -> 2024-03-09_181502.jpg. A preview lists the planned
; renames first and nothing changes unless you answer Yes.

folder := DirSelect(, 0, "Folder with photos")
if folder = ""
    ExitApp()

plan := []
Loop Files folder "\*.jpg"
{
    newName := FormatTime(A_LoopFileTimeModified, "yyyy-MM-dd_HHmmss") ".jpg"
    if newName != A_LoopFileName
        plan.Push([A_LoopFileFullPath, folder "\" newName])
}

if plan.Length = 0
{
    MsgBox("Nothing to rename.")
    ExitApp()
}

preview := ""
for pair in plan
{
    SplitPath(pair[1], &oldName), SplitPath(pair[2], &newName)
    preview .= oldName " -> " newName "`n"
    if A_Index >= 15
    {
        preview .= "... and " (plan.Length - 15) " more`n"
        break
    }
}
if MsgBox(preview "`nRename these files?", "Confirm", "YesNo Icon?") != "Yes"
    ExitApp()

for pair in plan
{
    if !FileExist(pair[2])
        FileMove(pair[1], pair[2])
}
