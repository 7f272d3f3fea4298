x := Max(1, Min(5, 3), 2)
s := StrReplace("a,b,c", ",", ";")
MsgBox Format("{1}, {2}", x, s)
