try {
    x := 1 / 0
} catch ZeroDivisionError as err {
    MsgBox "div: " err.Message
} catch Error as err {
    MsgBox err.Message
} finally {
    MsgBox "done"
}
try FileDelete "nothing.tmp"
catch
    MsgBox "no file"
