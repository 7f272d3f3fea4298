#Requires AutoHotkey v2.0
; Keep a small stock inventory in a Map keyed by product code. Functions add
; stock, remove stock (refusing to go below zero) and produce a report of
; items that need re-ordering.

inventory := Map()
inventory.CaseSense := false

AddStock(code, qty, name := "")
{
    if !inventory.Has(code)
        inventory[code] := {name: name, qty: 0}
    inventory[code].qty += qty
}

TakeStock(code, qty)
{
    if !inventory.Has(code)
        throw ValueError("Unknown product: " code)
    item := inventory[code]
    if item.qty < qty
        throw ValueError(Format("Only {} of {} left", item.qty, item.name))
    item.qty -= qty
}

ReorderReport(threshold := 5)
{
    report := ""
    for code, item in inventory
        if item.qty < threshold
            report .= Format("{:-8} {:-20} {:4}`n", code, item.name, item.qty)
    return report = "" ? "Nothing to re-order." : report
}

AddStock("A100", 20, "Blue pens")
AddStock("B200", 4, "Staplers")
AddStock("C300", 12, "Sticky notes")
TakeStock("a100", 17)
try TakeStock("B200", 10)
catch ValueError as e
    MsgBox(e.Message, "Stock")
MsgBox(ReorderReport(), "Re-order list")
