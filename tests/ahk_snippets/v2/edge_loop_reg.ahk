Loop Reg "HKCU\Software", "KVR"
    x := A_LoopRegName
