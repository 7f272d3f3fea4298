#Requires AutoHotkey v2.0
; Deliberate case: a script that uses a function library through
; #Include <StrUtils>. The library lives in Lib/StrUtils.ahk at the corpus
; root. It prints a boxed banner and checks file-name prefixes and suffixes.
#Include <StrUtils>

Banner(title, width := 40)
{
    line := "+" StrRepeat("-", width - 2) "+"
    return line "`n|" StrCenter(title, width - 2) "|`n" line
}

files := ["report_2024.xlsx", "Report_draft.docx", "notes.txt", "report_final.pdf"]
out := Banner("Report files") "`n"
for name in files
{
    isReport := StrStartsWith(name, "report")
    isPdf := StrEndsWith(name, ".pdf")
    out .= StrPadRight(name, 22, ".") " " (isReport ? "report" : "other")
        . (isPdf ? " (pdf)" : "") "`n"
}
out .= "`nWords in this sentence: " StrWordCount("one two  three   four")
out .= "`nRight-aligned: [" StrPadLeft("42", 6) "]"

view := Gui(, "StrUtils demo")
view.SetFont("s10", "Consolas")
view.AddText(, out)
view.Show()
