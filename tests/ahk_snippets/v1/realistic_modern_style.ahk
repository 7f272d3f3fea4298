; v1.1 written in expression style
items := []
items.Push("alpha")
items.Push("beta")
Loop % items.Length()
{
    item := items[A_Index]
    ToolTip % "Item " A_Index ": " item
    Sleep 500
}
ToolTip
total := 0
for index, value in [1, 2, 3]
    total += value
MsgBox % "Total: " total
