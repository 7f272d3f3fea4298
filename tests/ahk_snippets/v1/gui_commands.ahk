Gui, Add, Text,, Name:
Gui, Add, Edit, vName
Gui, Show
return
GuiClose:
ExitApp
