A_ScriptDir := "C:\temp"
