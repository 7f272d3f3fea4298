#Requires AutoHotkey v2.0
; A tour of AutoHotkey v2's loop forms: a counted Loop with A_Index, while,
; Loop with until, for over an Array and a Map, Loop Parse over a string,
; and continue/break. Each produces one line of the summary.

summary := []

counted := ""
Loop 5
    counted .= A_Index " "
summary.Push("Loop 5: " counted)

n := 1, powers := ""
while n <= 64
    powers .= n " ", n *= 2
summary.Push("while: " powers)

k := 0
Loop
{
    k += 3
} until k > 20
summary.Push("until: stopped at " k)

odd := ""
for v in [1, 2, 3, 4, 5, 6, 7, 8, 9]
{
    if Mod(v, 2) = 0
        continue
    if v > 7
        break
    odd .= v " "
}
summary.Push("for + continue/break: " odd)

pairs := ""
for key, val in Map("x", 1, "y", 2)
    pairs .= key "=" val " "
summary.Push("for over Map: " pairs)

words := ""
Loop Parse "red,green,blue", ","
    words .= "[" A_Index ":" A_LoopField "] "
summary.Push("Loop Parse: " words)

text := ""
for line in summary
    text .= line "`n"
MsgBox(text, "Loops")
