ListTxt(folder) {
    s := ""
    Loop Files folder "\*.*", "R"
        s .= A_LoopFileName "`n"
    return StrReplace(Sort(RTrim(s, "`n")), "`n", ",")
}
