#Requires AutoHotkey v2.0
; Deliberate case: this file is saved as UTF-8 WITH a byte order mark (BOM).
; It draws a box around a few lines of text with Unicode box-drawing
; characters (┌ ─ ┐ │ └ ┘) and shows arrows and currency symbols: → ← € £ ¥.
; The box width bug was Issue #31 (fixed: padding now uses Format).

DrawBox(lines)
{
    width := 0
    for line in lines
        width := Max(width, StrLen(line))
    bar := ""
    Loop width + 2
        bar .= "─"
    out := "┌" bar "┐`n"
    for line in lines
        out .= "│ " line Format("{:" (width - StrLen(line) + 1) "}", "") "│`n"
    return out "└" bar "┘"
}

items := ["Prices → € 12,50", "Größe: 42", "Café crème ← ☕", "¥ 1 200 / £ 9.99"]
view := Gui(, "Box drawing")
view.SetFont("s11", "Consolas")
view.AddText(, DrawBox(items))
view.Show()
