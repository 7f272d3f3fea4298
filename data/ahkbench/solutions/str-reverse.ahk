StrRev(s) {
    out := ""
    Loop Parse s
        out := A_LoopField out
    return out
}
