#Requires AutoHotkey v2.0
; A unit converter GUI: choose a quantity (length, mass or temperature),
; the from/to units and a value; the result updates as you type. Length and
; mass use factors relative to a base unit; temperature uses formulas.

factors := Map(
    "Length", Map("mm", 0.001, "cm", 0.01, "m", 1, "km", 1000, "in", 0.0254, "ft", 0.3048, "mi", 1609.344),
    "Mass", Map("g", 0.001, "kg", 1, "t", 1000, "oz", 0.0283495, "lb", 0.453592)
)
tempUnits := ["C", "F", "K"]

ToKelvin(v, u) => u = "C" ? v + 273.15 : u = "F" ? (v - 32) * 5 / 9 + 273.15 : v
FromKelvin(k, u) => u = "C" ? k - 273.15 : u = "F" ? (k - 273.15) * 9 / 5 + 32 : k

UnitsOf(kind)
{
    if kind = "Temperature"
        return tempUnits
    units := []
    for name in factors[kind]
        units.Push(name)
    return units
}

conv := Gui(, "Unit converter")
kindBox := conv.AddDropDownList("w120 Choose1", ["Length", "Mass", "Temperature"])
valueBox := conv.AddEdit("x+10 w100", "1")
fromBox := conv.AddDropDownList("xm w80")
conv.AddText("x+5 yp+3", "to")
toBox := conv.AddDropDownList("x+5 yp-3 w80")
result := conv.AddText("xm w300 h24")
kindBox.OnEvent("Change", FillUnits)
for ctrl in [valueBox, fromBox, toBox]
    ctrl.OnEvent("Change", Recalc)
FillUnits()
conv.Show()

FillUnits(*)
{
    units := UnitsOf(kindBox.Text)
    for box in [fromBox, toBox]
        box.Delete(), box.Add(units)
    fromBox.Choose(1), toBox.Choose(Min(2, units.Length))
    Recalc()
}

Recalc(*)
{
    if !IsNumber(valueBox.Value)
        return result.Value := "Enter a number"
    v := Number(valueBox.Value), from := fromBox.Text, to := toBox.Text
    if kindBox.Text = "Temperature"
        out := FromKelvin(ToKelvin(v, from), to)
    else
        out := v * factors[kindBox.Text][from] / factors[kindBox.Text][to]
    result.Value := Format("{} {} = {:.4g} {}", v, from, out, to)
}
