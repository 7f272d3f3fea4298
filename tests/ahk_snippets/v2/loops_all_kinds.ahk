Loop 3
    MsgBox A_Index
Loop Parse, "a,b,c", ","
    MsgBox A_LoopField
Loop Files, A_ScriptDir "\*.ahk"
    MsgBox A_LoopFileName
i := 0
while i < 3
    i++
Loop {
    i--
} until i <= 0
for index, item in ["x", "y"]
    continue
