; Deliberate case: LEGACY AutoHotkey v1 syntax (not valid v2).
; Cleans up the clipboard text with the old string commands: StringReplace,
; StringLower, StringSplit and a parsing loop, then reports through a
; Gosub subroutine. Win+Shift+L runs it.
#NoEnv
SetBatchLines, -1

#+l::
text = %Clipboard%
if text =
{
    MsgBox, The clipboard is empty.
    return
}
StringReplace, text, text, `t, %A_Space%, All
StringReplace, text, text, %A_Space%%A_Space%, %A_Space%, UseErrorLevel
replaced = %ErrorLevel%
StringLower, lowered, text
StringSplit, words, lowered, %A_Space%
longest =
Loop, Parse, lowered, %A_Space%
{
    if StrLen(A_LoopField) > StrLen(longest)
        longest = %A_LoopField%
}
Clipboard = %lowered%
Gosub, Report
return

Report:
MsgBox, 0, Cleanup, Words: %words0%`nDouble spaces fixed: %replaced%`nLongest word: %longest%
return
