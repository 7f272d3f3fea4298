#Requires AutoHotkey v2.0
; Break out of nested loops with a loop label: search a grid for the first
; cell whose value matches a target and stop both loops at once with
; "break Outer". Also shows "continue Outer" to skip a whole row.

grid := [
    [3, 8, 1, 9],
    [0, 0, 0, 0],
    [7, 5, 4, 2],
    [6, 5, 8, 1]
]
target := 5
found := "not found"
rowsScanned := 0

Outer:
for r, row in grid
{
    rowsScanned++
    for c, cell in row
    {
        if cell = 0
            continue Outer   ; an all-zero row is skipped as soon as it starts
        if cell = target
        {
            found := Format("row {}, column {}", r, c)
            break Outer
        }
    }
}
MsgBox(Format("First {} at {}.`nRows scanned: {}", target, found, rowsScanned))
