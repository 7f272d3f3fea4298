#Requires AutoHotkey v2.0
; Read a simple CSV file (comma-separated, first row is the header) and
; write it out as a Markdown table beside the original, with the .md
; extension. Quoted fields with commas are handled by a small parser.

ParseCsvLine(line)
{
    fields := []
    Loop Parse line, "CSV"
        fields.Push(A_LoopField)
    return fields
}

ToMarkdown(csvText)
{
    md := ""
    Loop Parse csvText, "`n", "`r"
    {
        if A_LoopField = ""
            continue
        cells := ParseCsvLine(A_LoopField)
        row := "|"
        for cell in cells
            row .= " " StrReplace(cell, "|", "\|") " |"
        md .= row "`n"
        if A_Index = 1
        {
            sep := "|"
            Loop cells.Length
                sep .= " --- |"
            md .= sep "`n"
        }
    }
    return md
}

csvPath := FileSelect(1, , "Pick a CSV file", "CSV (*.csv)")
if csvPath = ""
    ExitApp()
SplitPath(csvPath, , &dir, , &stem)
mdPath := dir "\" stem ".md"
if FileExist(mdPath)
    FileDelete(mdPath)
FileAppend(ToMarkdown(FileRead(csvPath, "UTF-8")), mdPath, "UTF-8")
MsgBox("Written: " mdPath)
