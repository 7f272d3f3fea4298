var = 5
If var = 5
    MsgBox, five
