if A_Args.Length
    MsgBox A_Args[1]
