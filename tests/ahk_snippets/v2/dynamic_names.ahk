obj := {}
key := "color"
obj.%key% := "red"
name := "value"
%name% := 5
MsgBox obj.color value
