Caesar(s, shift) {
    out := ""
    Loop Parse s
        out .= Chr(Ord(A_LoopField) + shift)
    return out
}
