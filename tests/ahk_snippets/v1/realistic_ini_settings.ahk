IniRead, lastDir, settings.ini, General, LastDir, %A_MyDocuments%
IniRead, width, settings.ini, Window, Width, 800
if (width < 400)
    width := 400
IniWrite, %width%, settings.ini, Window, Width
RegRead, theme, HKCU, Software\Microsoft\Windows\CurrentVersion\Themes\Personalize, AppsUseLightTheme
MsgBox % "Light theme: " theme
