#Requires AutoHotkey v2.0
myGui := Gui(, "Demo")
myGui.AddText(, "Name:")
nameEdit := myGui.AddEdit("w200")
myGui.AddButton("Default", "OK").OnEvent("Click", (*) => (MsgBox(nameEdit.Value), myGui.Hide()))
myGui.OnEvent("Close", (*) => ExitApp())
myGui.Show()
