Caesar(s, shift) {
    out := ""
    Loop Parse s {
        c := Ord(A_LoopField)
        if c >= 97 && c <= 122
            c := Mod(c - 97 + shift, 26) + 97
        else if c >= 65 && c <= 90
            c := Mod(c - 65 + shift, 26) + 65
        out .= Chr(c)
    }
    return out
}
