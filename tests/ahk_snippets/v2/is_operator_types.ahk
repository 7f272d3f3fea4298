v := 3.5
if v is Float
    MsgBox "float"
if !(v is String)
    MsgBox Type(v)
