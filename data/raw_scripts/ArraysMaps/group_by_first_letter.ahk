#Requires AutoHotkey v2.0
; Group a list of names by their first letter: the result is a Map from
; letter to an Array of names, printed with the letters in order.

GroupBy(items, keyFn)
{
    groups := Map()
    for item in items
    {
        key := keyFn(item)
        if !groups.Has(key)
            groups[key] := []
        groups[key].Push(item)
    }
    return groups
}

names := ["Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Elijah", "Amelia", "Lucas", "Nora"]
byLetter := GroupBy(names, (n) => StrUpper(SubStr(n, 1, 1)))

text := ""
for letter, group in byLetter  ; a Map enumerates its keys in sorted order
{
    line := ""
    for name in group
        line .= (line = "" ? "" : ", ") name
    text .= letter ": " line "`n"
}
MsgBox(text, "Names by first letter")
