#Requires AutoHotkey v2.0
; Run a console command hidden and capture what it prints, by redirecting
; its output to a temporary file with cmd /c and reading the file back
; after RunWait returns. The exit code is shown too.

RunCapture(command, workDir := A_Temp)
{
    outFile := A_Temp "\ahk_capture_" A_TickCount ".txt"
    exitCode := RunWait(A_ComSpec ' /c ' command ' > "' outFile '" 2>&1', workDir, "Hide")
    text := FileExist(outFile) ? FileRead(outFile) : ""
    try FileDelete(outFile)
    return {code: exitCode, text: text}
}

res := RunCapture("ipconfig /all")
MsgBox(SubStr(res.text, 1, 1500), "ipconfig (exit code " res.code ")")

res := RunCapture("dir /b", A_WinDir)
count := 0
Loop Parse res.text, "`n", "`r"
    count += A_LoopField != ""
MsgBox(count " entries in " A_WinDir)
