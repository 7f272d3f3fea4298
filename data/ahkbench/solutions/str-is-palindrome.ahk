IsPalindrome(s) {
    s := StrLower(StrReplace(s, " "))
    rev := ""
    Loop Parse s
        rev := A_LoopField rev
    return s == rev
}
