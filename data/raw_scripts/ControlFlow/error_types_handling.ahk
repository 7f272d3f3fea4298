#Requires AutoHotkey v2.0
; Handle different error classes separately: catch ZeroDivisionError,
; TypeError, IndexError and OSError with their own messages, fall back to
; a generic Error, and use "finally" to count the attempts.

Divide(a, b) => a / b
word := "text"

Tests := [
    () => Divide(10, 2),
    () => Divide(1, 0),
    () => word * 3,
    () => [1, 2, 3][10],
    () => FileRead("Z:\no\such\file.txt"),
    () => Integer("twelve")
]

report := "", attempts := 0
for test in Tests
{
    try
        report .= A_Index ": ok -> " test() "`n"
    catch ZeroDivisionError
        report .= A_Index ": division by zero`n"
    catch TypeError as e
        report .= A_Index ": type problem (" e.Message ")`n"
    catch IndexError
        report .= A_Index ": index out of range`n"
    catch OSError as e
        report .= A_Index ": OS error " e.Number "`n"
    catch Error as e
        report .= A_Index ": " Type(e) ": " e.Message "`n"
    finally
        attempts++
}
MsgBox(report "`n" attempts " tests run", "Error handling")
