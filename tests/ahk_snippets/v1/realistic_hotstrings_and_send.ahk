::btw::by the way
::sig::
Send, Best regards,{Enter}John
return
#IfWinActive ahk_exe notepad.exe
F5::Send, %A_Now%
#IfWinActive
