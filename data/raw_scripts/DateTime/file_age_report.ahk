#Requires AutoHotkey v2.0
; Report how old the files in a folder are, grouped into buckets (today,
; this week, this month, this year, older), using FileGetTime and DateDiff.

Bucket(days)
{
    if days < 1
        return "today"
    if days < 7
        return "this week"
    if days < 31
        return "this month"
    if days < 365
        return "this year"
    return "older"
}

folder := A_Args.Length ? A_Args[1] : A_MyDocuments
order := ["today", "this week", "this month", "this year", "older"]
counts := Map()
for b in order
    counts[b] := 0

Loop Files folder "\*", "R"
{
    modified := FileGetTime(A_LoopFileFullPath, "M")
    counts[Bucket(DateDiff(A_Now, modified, "Days"))] += 1
}

report := "Files under " folder ":`n`n"
for b in order
    report .= Format("{:-12}{:6}`n", b, counts[b])
MsgBox(report, "File ages")
