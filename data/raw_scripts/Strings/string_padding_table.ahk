#Requires AutoHotkey v2.0
; Build a plain-text table with aligned columns using Format() width and
; alignment specifiers, e.g. {:-12} for left-aligned and {:8} for right-aligned (the default).
; The table is shown in a monospaced GUI so the columns line up.

rows := [
    ["Apples", 12, 0.5],
    ["Bananas", 7, 0.25],
    ["Cherries", 150, 0.1],
    ["Dates", 30, 0.8]
]

header := Format("{:-12}{:8}{:10}{:10}", "Item", "Qty", "Price", "Total")
table := header "`n" StrReplace(Format("{:40}", ""), " ", "-") "`n"
grand := 0
for row in rows
{
    total := row[2] * row[3]
    grand += total
    table .= Format("{:-12}{:8}{:10.2f}{:10.2f}", row[1], row[2], row[3], total) "`n"
}
table .= Format("{:-30}{:10.2f}", "Grand total", grand)

view := Gui(, "Price table")
view.SetFont("s10", "Consolas")
view.AddEdit("ReadOnly w360 r8", table)
view.Show()
