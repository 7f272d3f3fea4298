#Requires AutoHotkey v1.1
; Deliberate case: LEGACY AutoHotkey v1 syntax with a #Requires line that
; names v1.1. Counts the lines of every .txt file beside the script with
; Loop, FileRead and EnvAdd, and writes a report with FileAppend.
#NoEnv
SetWorkingDir %A_ScriptDir%
SetBatchLines -1

total = 0
files = 0
report =
Loop, %A_ScriptDir%\*.txt
{
    FileRead, content, %A_LoopFileFullPath%
    if ErrorLevel
        continue
    StringReplace, content, content, `n, `n, UseErrorLevel
    lines := ErrorLevel + 1
    EnvAdd, total, %lines%
    files += 1
    report = %report%%A_LoopFileName%: %lines% lines`n
}
IfEqual, files, 0
{
    MsgBox, 48, Report, No .txt files found in %A_ScriptDir%
    ExitApp
}
If files = 1
    noun = file
else
    noun = files
FileDelete, %A_ScriptDir%\line_report.txt
FileAppend, %report%Total: %total% lines in %files% %noun%`n, %A_ScriptDir%\line_report.txt
MsgBox, % "Done: " . files . " " . noun . " counted."
