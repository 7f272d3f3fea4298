ib := InputBox("Your name?", "Ask", "w200")
if ib.Result = "OK"
    MsgBox "Hello " ib.Value
