Menu, Tray, Add, Say hi, SayHi
return
SayHi:
MsgBox, hi
return
