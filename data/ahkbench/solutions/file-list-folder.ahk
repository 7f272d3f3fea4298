ListTxt(folder) {
    s := ""
    Loop Files folder "\*.txt"
        s .= A_LoopFileName "`n"
    return StrReplace(Sort(RTrim(s, "`n")), "`n", ",")
}
