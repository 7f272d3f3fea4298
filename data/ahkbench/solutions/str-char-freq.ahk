MostCommonChar(s) {
    counts := Map()
    best := "", bestN := 0
    Loop Parse s {
        counts[A_LoopField] := counts.Get(A_LoopField, 0) + 1
    }
    Loop Parse s {
        if counts[A_LoopField] > bestN
            best := A_LoopField, bestN := counts[A_LoopField]
    }
    return best
}
