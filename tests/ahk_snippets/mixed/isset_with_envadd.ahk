count := 1
if IsSet(count)
    EnvAdd, count, 1
MsgBox(count)
