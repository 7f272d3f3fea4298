files := []
Loop, Files, *.txt
    files.Push(A_LoopFileName)
MsgBox(files.Length)
