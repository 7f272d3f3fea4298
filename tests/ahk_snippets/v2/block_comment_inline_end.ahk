/*
MsgBox, this is v1 but commented out
x = 5 */
MsgBox "after the comment"
