m := Map("a", 1, "b", 2)
m["c"] := 3
arr := [1, 2, 3]
arr.Push(4)
for key, value in m
    MsgBox key " = " value
MsgBox arr.Length
