#Requires AutoHotkey v2.0
; Array basics in AutoHotkey v2: create, push, insert, remove, search and
; join. Each step adds a line to a log that is shown at the end.

journal := ""
Note(text)
{
    global journal
    journal .= text "`n"
}

fruits := ["apple", "banana"]
fruits.Push("cherry", "date")
fruits.InsertAt(1, "apricot")
Note("After push/insert: " Join(fruits))

removed := fruits.RemoveAt(2)
Note("Removed '" removed "', now: " Join(fruits))
Note("Length: " fruits.Length ", last item: " fruits[-1])

IndexOf(arr, value)
{
    for i, item in arr
        if item = value
            return i
    return 0
}
Note("Index of cherry: " IndexOf(fruits, "cherry"))
Note("Has index 10? " (fruits.Has(10) ? "yes" : "no"))

Join(arr, sep := ", ")
{
    out := ""
    for item in arr
        out .= (A_Index > 1 ? sep : "") item
    return out
}

copy := fruits.Clone()
copy.Pop()
Note("Clone without last: " Join(copy) " (original keeps " fruits.Length ")")
MsgBox(journal, "Array basics")
