#Persistent
SetTimer, ShowTime, 1000
return

ShowTime:
FormatTime, now,, HH:mm:ss
ToolTip, %now%
return

Esc::ExitApp
