#Requires AutoHotkey v2.0
; Deliberate case: a working relative #Include of a file that sits beside
; this script (number_helpers.ahk). The demo clamps, interpolates and
; formats a few numbers with the included helpers.
#Include "number_helpers.ahk"

results := []
results.Push("Clamp(150, 0, 100) = " Clamp(150, 0, 100))
results.Push("Clamp(-5, 0, 100) = " Clamp(-5, 0, 100))
results.Push("Lerp(10, 20, 0.25) = " Lerp(10, 20, 0.25))
results.Push("RoundToStep(17, 5) = " RoundToStep(17, 5))
results.Push("WithThousands(1234567) = " WithThousands(1234567))
results.Push("WithThousands(-9876543.21) = " WithThousands(-9876543.21))

; fade a value from 0 to 255 in five steps
steps := ""
Loop 5
    steps .= Round(Lerp(0, 255, (A_Index - 1) / 4)) " "
results.Push("Fade steps: " steps)

text := ""
for line in results
    text .= line "`n"
MsgBox(text, "Relative #Include")
