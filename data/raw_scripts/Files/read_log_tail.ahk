#Requires AutoHotkey v2.0
; Show the last N lines of a log file, like "tail". The file is opened with
; FileOpen, and only the final 64 KB are read, so big logs stay fast.

Tail(path, lineCount := 20)
{
    f := FileOpen(path, "r")
    if !f
        throw OSError("Cannot open " path)
    chunk := 65536
    if f.Length > chunk
        f.Pos := f.Length - chunk
    text := f.Read()
    f.Close()
    lines := StrSplit(RTrim(text, "`r`n"), "`n", "`r")
    first := Max(1, lines.Length - lineCount + 1)
    out := ""
    Loop lines.Length - first + 1
        out .= lines[first + A_Index - 1] "`n"
    return out
}

logFile := A_Args.Length ? A_Args[1] : A_WinDir "\WindowsUpdate.log"
try
    MsgBox(Tail(logFile), "Last lines of " logFile)
catch OSError as e
    MsgBox(e.Message, "Tail", "Iconx")
