StrRev(s) {
    return s
}
