buf := Buffer(16, 0)
NumPut("UInt", 42, buf, 0)
value := NumGet(buf, 0, "UInt")
ticks := DllCall("GetTickCount", "UInt")
MsgBox value " " ticks
