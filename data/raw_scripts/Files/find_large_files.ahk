#Requires AutoHotkey v2.0
; Search a folder recursively for files larger than a size limit (default
; 100 MB) and write a report, biggest first, to large_files.txt on the desktop.

FindLargeFiles(root, minMB := 100)
{
    found := []
    Loop Files root "\*", "FR"
    {
        if A_LoopFileSize >= minMB * 1024 * 1024
            found.Push({path: A_LoopFileFullPath, size: A_LoopFileSize})
    }
    return found
}

SortBySize(items)
{
    ; simple insertion sort, largest first
    Loop items.Length - 1
    {
        i := A_Index + 1
        current := items[i]
        j := i - 1
        while j >= 1 && items[j].size < current.size
        {
            items[j + 1] := items[j]
            j--
        }
        items[j + 1] := current
    }
    return items
}

root := DirSelect("C:\", 0, "Folder to scan")
if root = ""
    ExitApp()
results := SortBySize(FindLargeFiles(root))
report := Format("Files of 100 MB or more under {}`r`n`r`n", root)
for item in results
    report .= Format("{:10.1f} MB  {}`r`n", item.size / 1048576, item.path)
out := A_Desktop "\large_files.txt"
try FileDelete(out)
FileAppend(report, out)
Run(out)
