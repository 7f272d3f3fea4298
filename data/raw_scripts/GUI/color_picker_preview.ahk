#Requires AutoHotkey v2.0
; Three sliders (red, green, blue) drive a colour preview box and show the
; hex code, which a button copies to the clipboard. Every slider change
; updates the preview at once through the Change event.

picker := Gui(, "Colour mixer")
sliders := Map()
for channel in ["Red", "Green", "Blue"]
{
    picker.AddText("xm w50", channel)
    sliders[channel] := picker.AddSlider("x+5 w220 Range0-255 AltSubmit", 128)
    sliders[channel].OnEvent("Change", UpdatePreview)
}
preview := picker.AddProgress("xm w280 h60 c808080 Background808080", 100)
hexLabel := picker.AddEdit("xm w160 ReadOnly", "#808080")
picker.AddButton("x+10 w110", "Copy code").OnEvent("Click", (*) => (A_Clipboard := hexLabel.Value))
picker.Show()

UpdatePreview(*)
{
    rgb := Format("{:02X}{:02X}{:02X}"
        , sliders["Red"].Value, sliders["Green"].Value, sliders["Blue"].Value)
    preview.Opt("c" rgb)
    hexLabel.Value := "#" rgb
}
