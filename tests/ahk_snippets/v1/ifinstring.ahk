haystack := "abc"
IfInString, haystack, b
    MsgBox, found
