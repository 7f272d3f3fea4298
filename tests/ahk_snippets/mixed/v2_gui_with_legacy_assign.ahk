myGui := Gui()
myGui.AddText(, "Hi")
myGui.Show()
title = My Window
