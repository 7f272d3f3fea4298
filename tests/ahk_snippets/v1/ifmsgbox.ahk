MsgBox, 4,, Continue?
IfMsgBox, No
    return
