Gui, New, +Resize, Contact form
Gui, Add, Text,, Name:
Gui, Add, Edit, vUserName w200
Gui, Add, Button, gSubmit Default, OK
Gui, Show
return

Submit:
Gui, Submit
MsgBox, You entered "%UserName%".
ExitApp

GuiClose:
ExitApp
