#Requires AutoHotkey v2.0
; Merge all .txt files of a folder into one file, in name order, with a
; header line before each part. Handy for joining chapter files.

MergeFolder(folder, outFile)
{
    names := ""
    Loop Files folder "\*.txt"
        names .= A_LoopFileName "`n"
    names := Sort(RTrim(names, "`n"))
    if names = ""
        return 0
    out := FileOpen(outFile, "w", "UTF-8")
    count := 0
    Loop Parse names, "`n"
    {
        if folder "\" A_LoopField = outFile
            continue
        out.WriteLine("===== " A_LoopField " =====")
        out.Write(FileRead(folder "\" A_LoopField) "`n")
        count++
    }
    out.Close()
    return count
}

dir := DirSelect(, 0, "Folder with .txt files")
if dir != ""
{
    n := MergeFolder(dir, dir "\merged.txt")
    MsgBox(n " file(s) merged into " dir "\merged.txt")
}
