#Requires AutoHotkey v2.0
; Count how often each word occurs in a text file and show the ten most
; frequent words. Words are matched with a regular expression, compared
; case-insensitively, and the counts are kept in a Map.

CountWords(text)
{
    counts := Map()
    counts.CaseSense := false
    pos := 1
    while pos := RegExMatch(text, "[\p{L}']+", &m, pos)
    {
        word := StrLower(m[0])
        counts[word] := counts.Get(word, 0) + 1
        pos += m.Len
    }
    return counts
}

TopWords(counts, limit := 10)
{
    lines := ""
    for word, n in counts
        lines .= Format("{:06}", n) "`t" word "`n"
    lines := Sort(RTrim(lines, "`n"), "R")
    result := ""
    Loop Parse lines, "`n"
    {
        if A_Index > limit
            break
        parts := StrSplit(A_LoopField, "`t")
        result .= Format("{:-15} {}", parts[2], Integer(parts[1])) "`n"
    }
    return result
}

path := FileSelect(1, A_MyDocuments, "Choose a text file", "Text (*.txt)")
if path != ""
    MsgBox(TopWords(CountWords(FileRead(path))), "Most frequent words")
