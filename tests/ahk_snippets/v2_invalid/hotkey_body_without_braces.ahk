F2::
MsgBox "F2"
return
