IsAnagram(a, b) {
    key(s) {
        s := StrLower(StrReplace(s, " "))
        chars := ""
        Loop Parse s
            chars .= A_LoopField "`n"
        return Sort(chars)
    }
    return key(a) == key(b)
}
