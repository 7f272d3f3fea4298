^+c::
clipboard =
Send, ^c
ClipWait, 1
if ErrorLevel
    return
if RegExMatch(clipboard, "(\d{3})-(\d{4})", m)
    MsgBox, Found %m1% and %m2%
StringUpper, upper, clipboard
clipboard := upper
return
