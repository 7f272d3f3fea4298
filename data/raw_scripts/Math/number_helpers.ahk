#Requires AutoHotkey v2.0
; number_helpers.ahk: helper functions included by relative_include_demo.ahk
; with a relative #Include. Clamp, linear interpolation, rounding to a step
; and thousands separators. It defines functions only.

Clamp(value, low, high) => value < low ? low : value > high ? high : value

Lerp(a, b, t) => a + (b - a) * t

RoundToStep(value, step) => Round(value / step) * step

WithThousands(n, sep := ",")
{
    sign := n < 0 ? "-" : ""
    parts := StrSplit(String(Abs(n)), ".")
    whole := parts[1], grouped := ""
    while StrLen(whole) > 3
    {
        grouped := sep SubStr(whole, -3) grouped
        whole := SubStr(whole, 1, StrLen(whole) - 3)
    }
    return sign whole grouped (parts.Length > 1 ? "." parts[2] : "")
}
