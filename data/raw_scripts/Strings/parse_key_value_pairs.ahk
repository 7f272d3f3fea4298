#Requires AutoHotkey v2.0
; Parse a block of "key = value" lines into a Map, skipping blank lines and
; lines that start with # (comments). Values may be quoted; the quotes are
; removed. The result is printed back in sorted order.

ParsePairs(text)
{
    result := Map()
    Loop Parse text, "`n", "`r"
    {
        line := Trim(A_LoopField)
        if line = "" || SubStr(line, 1, 1) = "#"
            continue
        if !RegExMatch(line, "^([\w.]+)\s*=\s*(.*)$", &m)
            throw ValueError("Bad line " A_Index ": " line)
        value := m[2]
        if RegExMatch(value, '^"(.*)"$', &q)
            value := q[1]
        result[m[1]] := value
    }
    return result
}

config := "
(
# sample settings
name = Example App
version = 1.4.2
path = "C:\Program Files\Example"

debug = false
)"

pairs := ParsePairs(config)
keys := ""
for key in pairs
    keys .= key "`n"
listing := ""
Loop Parse Sort(RTrim(keys, "`n")), "`n"
    listing .= A_LoopField " => " pairs[A_LoopField] "`n"
MsgBox(listing, pairs.Count " settings")
