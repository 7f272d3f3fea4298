#Requires AutoHotkey v2.0
; Serialise nested Maps, Arrays, numbers and strings to JSON text with a
; small recursive function, with indentation. Strings are escaped for
; quotes, backslashes and control characters.

ToJson(value, indent := "")
{
    inner := indent "  "
    if value is Map
    {
        if !value.Count
            return "{}"
        parts := []
        for k, v in value
            parts.Push(inner Quote(String(k)) ": " ToJson(v, inner))
        return "{`n" JoinLines(parts) "`n" indent "}"
    }
    if value is Array
    {
        if !value.Length
            return "[]"
        parts := []
        for v in value
            parts.Push(inner ToJson(v, inner))
        return "[`n" JoinLines(parts) "`n" indent "]"
    }
    if value is Number
        return String(value)
    return Quote(value)
}

Quote(s)
{
    for pair in [["\", "\\"], ['"', '\"'], ["`n", "\n"], ["`r", "\r"], ["`t", "\t"]]
        s := StrReplace(s, pair[1], pair[2])
    return '"' s '"'
}

JoinLines(parts)
{
    out := ""
    for p in parts
        out .= (A_Index > 1 ? ",`n" : "") p
    return out
}

person := Map("name", "Sam", "age", 31, "tags", ["admin", "dev"]
    , "address", Map("city", "Lyon", "zip", "69001"), "note", 'says "hi"')
MsgBox(ToJson(person), "JSON")
