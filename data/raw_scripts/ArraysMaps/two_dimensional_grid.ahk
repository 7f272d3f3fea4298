#Requires AutoHotkey v2.0
; A 2-D grid stored as an array of arrays: build a multiplication table,
; transpose a matrix and print both with aligned columns.

MakeGrid(rows, cols, fill := 0)
{
    grid := []
    Loop rows
    {
        row := []
        row.Length := cols
        Loop cols
            row[A_Index] := fill
        grid.Push(row)
    }
    return grid
}

Transpose(m)
{
    t := MakeGrid(m[1].Length, m.Length)
    for r, row in m
        for c, v in row
            t[c][r] := v
    return t
}

GridText(m)
{
    out := ""
    for row in m
    {
        for v in row
            out .= Format("{:5}", v)
        out .= "`n"
    }
    return out
}

table := MakeGrid(6, 6)
Loop 6
{
    rowNo := A_Index
    Loop 6
        table[rowNo][A_Index] := rowNo * A_Index
}
matrix := [[1, 2, 3], [4, 5, 6]]
MsgBox(GridText(table) "`nTranspose of [[1,2,3],[4,5,6]]:`n" GridText(Transpose(matrix)))
