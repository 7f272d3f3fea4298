#Requires AutoHotkey v2.0
; Remove duplicate values from an array while keeping the first occurrence,
; then sort the result numerically with the built-in Sort function by
; joining the values with newlines and splitting them again.

Unique(arr)
{
    seen := Map()
    out := []
    for v in arr
    {
        if seen.Has(v)
            continue
        seen[v] := true
        out.Push(v)
    }
    return out
}

SortNumbers(arr, descending := false)
{
    text := ""
    for v in arr
        text .= v "`n"
    sorted := Sort(RTrim(text, "`n"), "N" (descending ? " R" : ""))
    out := []
    for part in StrSplit(sorted, "`n")
        out.Push(Number(part))
    return out
}

Show(arr)
{
    s := ""
    for v in arr
        s .= v " "
    return RTrim(s)
}

data := [42, 7, 19, 7, 3, 42, 100, 19, 1, 3]
uniq := Unique(data)
MsgBox("Input:      " Show(data)
    . "`nUnique:     " Show(uniq)
    . "`nAscending:  " Show(SortNumbers(uniq))
    . "`nDescending: " Show(SortNumbers(uniq, true)))
