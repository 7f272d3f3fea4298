StringLen, length, InputVar
MsgBox, %length%
