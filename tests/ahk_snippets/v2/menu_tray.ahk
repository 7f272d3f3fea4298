tray := A_TrayMenu
tray.Add("Say hi", (*) => MsgBox("hi"))
tray.Add()
tray.Default := "Say hi"
