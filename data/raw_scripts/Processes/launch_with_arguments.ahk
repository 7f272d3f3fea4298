#Requires AutoHotkey v2.0
; Launch programs with arguments and a working folder, and wait for one to
; finish. Run returns at once and gives the PID through an output variable;
; RunWait blocks until the program exits and returns its exit code.

; open a text file in Notepad and remember the process ID
demoFile := A_Temp "\launch_demo.txt"
FileAppend("Edit me and close Notepad.`n", demoFile)
Run('notepad.exe "' demoFile '"', A_Temp, , &pid)
ToolTip("Notepad started with PID " pid)
SetTimer(() => ToolTip(), -2000)

; wait until that Notepad is closed
ProcessWaitClose(pid)
MsgBox("Notepad closed. The file now has " StrLen(FileRead(demoFile)) " characters.")
FileDelete(demoFile)

; run a command and check its exit code
code := RunWait(A_ComSpec " /c exit 3", , "Hide")
MsgBox("cmd exited with code " code)

; open a web page or folder with its default handler
Run("explorer.exe " A_ScriptDir)
