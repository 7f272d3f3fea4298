CountVowels(s) {
    n := 0
    Loop Parse s
        if InStr("aeiou", A_LoopField, true)
            n++
    return n
}
