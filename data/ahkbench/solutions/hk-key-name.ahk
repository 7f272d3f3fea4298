Describe(hk) {
    names := Map("^", "Ctrl", "!", "Alt", "+", "Shift", "#", "Win")
    out := ""
    while StrLen(hk) > 1 && names.Has(SubStr(hk, 1, 1))
        out .= names[SubStr(hk, 1, 1)] "+", hk := SubStr(hk, 2)
    return out hk
}
