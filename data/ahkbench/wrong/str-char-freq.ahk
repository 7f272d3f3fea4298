MostCommonChar(s) {
    return SubStr(s, 1, 1)
}
