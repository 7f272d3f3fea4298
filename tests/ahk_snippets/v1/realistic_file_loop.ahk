FileSelectFolder, folder, , 3, Pick a folder
if ErrorLevel
    ExitApp
count = 0
Loop, Files, %folder%\*.txt, R
{
    FileRead, content, %A_LoopFileFullPath%
    StringLen, len, content
    count += 1
}
MsgBox, Found %count% text files.
