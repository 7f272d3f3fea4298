Compress(s) {
    out := "", prev := "", n := 0
    Loop Parse s {
        if A_LoopField == prev
            n++
        else {
            if n
                out .= prev n
            prev := A_LoopField, n := 1
        }
    }
    return n ? out prev n : out
}
