#Requires AutoHotkey v2.0
; Delete files in the user's temp folder that have not been modified for
; more than 14 days. Files that are locked are skipped; a summary shows how
; many files and how many megabytes were removed.

maxAgeDays := 14
removed := 0, freed := 0, locked := 0

Loop Files A_Temp "\*", "R"
{
    age := DateDiff(A_Now, A_LoopFileTimeModified, "Days")
    if age <= maxAgeDays
        continue
    size := A_LoopFileSize
    try
    {
        FileDelete(A_LoopFileFullPath)
        removed += 1
        freed += size
    }
    catch
        locked += 1
}

MsgBox(Format("Removed {} file(s), {:.1f} MB freed.`n{} file(s) were in use and kept."
    , removed, freed / 1048576, locked), "Temp clean-up")
