#Requires AutoHotkey v2.0
; Convert whole numbers between bases 2 to 36. ToBase turns a number into
; digits of another base and FromBase parses them back; the hex form is
; cross-checked against Format("{:X}").

ToBase(n, base)
{
    static digits := "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if base < 2 || base > 36
        throw ValueError("base must be between 2 and 36", , base)
    if n = 0
        return "0"
    sign := n < 0 ? "-" : "", n := Abs(n), out := ""
    while n > 0
        out := SubStr(digits, Mod(n, base) + 1, 1) out, n //= base
    return sign out
}

FromBase(text, base)
{
    value := 0
    for ch in StrSplit(StrUpper(text))
    {
        d := InStr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", ch) - 1
        if d < 0 || d >= base
            throw ValueError("invalid digit '" ch "' for base " base)
        value := value * base + d
    }
    return value
}

n := 48879
MsgBox(Format("{} in base 2:  {}`nbase 8:  {}`nbase 16: {} (Format: {:X})`nbase 36: {}`n'ZZ' from base 36: {}"
    , n, ToBase(n, 2), ToBase(n, 8), ToBase(n, 16), n, ToBase(n, 36), FromBase("ZZ", 36)))
