#Requires AutoHotkey v2.0
; Show a borderless progress window while copying every .log file from the
; temp folder into a backup folder, one file at a time, with the file name
; under the bar. The window closes itself when the copy is done.

source := A_Temp
target := A_Desktop "\log_backup"
DirCreate(target)

files := []
Loop Files source "\*.log"
    files.Push(A_LoopFileFullPath)

if files.Length = 0
{
    MsgBox("There are no .log files in " source)
    ExitApp()
}

pw := Gui("-Caption +ToolWindow +AlwaysOnTop +Border")
bar := pw.AddProgress("w320 h18 Range0-" files.Length)
status := pw.AddText("w320")
pw.Show("NoActivate")

for index, path in files
{
    SplitPath(path, &name)
    status.Value := "Copying " name
    FileCopy(path, target "\" name, true)
    bar.Value := index
}
pw.Destroy()
MsgBox(files.Length " files copied to " target)
