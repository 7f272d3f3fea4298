#Requires AutoHotkey v2.0
; Roll two six-sided dice 10,000 times with Random() and show how often
; each total from 2 to 12 came up, next to the expected percentage, with
; a small text bar chart.

rolls := 10000
counts := Map()
Loop 11
    counts[A_Index + 1] := 0

Loop rolls
    counts[Random(1, 6) + Random(1, 6)] += 1

Expected(total) => (6 - Abs(total - 7)) / 36 * 100

chart := Format("{:5} {:8} {:8}`n", "Sum", "Actual", "Expected")
for total, n in counts
{
    pct := n / rolls * 100
    bar := ""
    Loop Round(pct)
        bar .= "#"
    chart .= Format("{:5} {:7.2f}% {:7.2f}%  {}`n", total, pct, Expected(total), bar)
}

view := Gui(, "Two dice, " rolls " rolls")
view.SetFont("s10", "Consolas")
view.AddText(, chart)
view.Show()
