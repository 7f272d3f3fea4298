IfWinExist, Untitled - Notepad
{
    WinActivate
}
