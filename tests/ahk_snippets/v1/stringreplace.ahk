text := "a-b-c"
StringReplace, out, text, -, +, All
MsgBox %out%
