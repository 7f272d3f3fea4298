#Requires AutoHotkey v2.0
; Descriptive statistics for a list of numbers typed into an InputBox
; (separated by spaces or commas): count, minimum, maximum, mean, median
; and standard deviation.

Stats(values)
{
    n := values.Length
    sum := 0
    for v in values
        sum += v
    mean := sum / n
    sq := 0
    for v in values
        sq += (v - mean) ** 2
    text := ""
    for v in values
        text .= v "`n"
    sorted := StrSplit(Sort(RTrim(text, "`n"), "N"), "`n")
    mid := (n + 1) // 2
    median := Mod(n, 2) ? sorted[mid] : (sorted[mid] + sorted[mid + 1]) / 2
    return {n: n, lo: Number(sorted[1]), hi: Number(sorted[n]), mean: mean
        , median: median, sd: n > 1 ? Sqrt(sq / (n - 1)) : 0}
}

input := InputBox("Numbers separated by spaces or commas:", "Statistics", , "4 8 15 16 23 42")
if input.Result != "OK"
    ExitApp()
values := []
for part in StrSplit(RegExReplace(Trim(input.Value), "[,\s]+", " "), " ")
    if IsNumber(part)
        values.Push(Number(part))
if !values.Length
{
    MsgBox("No numbers found.")
    ExitApp()
}
s := Stats(values)
MsgBox(Format("Count: {}`nMin: {}`nMax: {}`nMean: {:.3f}`nMedian: {}`nStd dev: {:.3f}"
    , s.n, s.lo, s.hi, s.mean, s.median, s.sd), "Statistics")
