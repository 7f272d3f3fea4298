double := x => x * 2
StringReplace, out, in, a, b
MsgBox(double(2))
