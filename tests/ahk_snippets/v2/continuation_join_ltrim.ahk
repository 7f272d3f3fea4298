list := "
( LTrim Join,
    apple
    banana
    cherry
)"
for item in StrSplit(list, ",")
    MsgBox item
