name = World
MsgBox Hello %name%
