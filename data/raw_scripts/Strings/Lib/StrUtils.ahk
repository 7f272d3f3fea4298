#Requires AutoHotkey v2.0
; StrUtils: a small string library meant to be pulled in with
; #Include <StrUtils>. It offers repeat, padding, centring, prefix/suffix
; tests and a word counter. Nothing runs when the file is included.

StrRepeat(text, times)
{
    out := ""
    Loop times
        out .= text
    return out
}

StrPadLeft(text, width, fill := " ")
{
    missing := width - StrLen(text)
    return missing > 0 ? StrRepeat(fill, missing) text : text
}

StrPadRight(text, width, fill := " ")
{
    missing := width - StrLen(text)
    return missing > 0 ? text StrRepeat(fill, missing) : text
}

StrCenter(text, width, fill := " ")
{
    missing := width - StrLen(text)
    if missing <= 0
        return text
    left := missing // 2
    return StrRepeat(fill, left) text StrRepeat(fill, missing - left)
}

StrStartsWith(text, prefix, caseSense := false)
    => (caseSense ? SubStr(text, 1, StrLen(prefix)) == prefix : SubStr(text, 1, StrLen(prefix)) = prefix)

StrEndsWith(text, suffix, caseSense := false)
    => (caseSense ? SubStr(text, -StrLen(suffix)) == suffix : SubStr(text, -StrLen(suffix)) = suffix)

StrWordCount(text)
{
    RegExReplace(text, "\S+", , &count)
    return count
}
