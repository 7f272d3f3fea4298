#Requires AutoHotkey v2.0
; Ctrl+Alt+K copies the current selection and shows its statistics:
; characters (with and without spaces), words, lines and sentences. The
; clipboard is restored afterwards, so nothing is lost.

TextStats(text)
{
    words := 0, pos := 1
    while pos := RegExMatch(text, "\S+", &m, pos)
        words++, pos += m.Len
    StrReplace(text, "`n", , , &newlines)
    RegExReplace(text, "[.!?]+(\s|$)", , &sentences)
    return {
        chars: StrLen(text),
        noSpaces: StrLen(RegExReplace(text, "\s")),
        words: words,
        lines: text = "" ? 0 : newlines + 1,
        sentences: sentences
    }
}

^!k::
{
    saved := ClipboardAll()
    A_Clipboard := ""
    Send("^c")
    if !ClipWait(1)
    {
        A_Clipboard := saved
        return MsgBox("Select some text first.")
    }
    s := TextStats(A_Clipboard)
    A_Clipboard := saved
    MsgBox(Format("Characters: {}`nWithout spaces: {}`nWords: {}`nLines: {}`nSentences: {}"
        , s.chars, s.noSpaces, s.words, s.lines, s.sentences), "Selection statistics")
}
