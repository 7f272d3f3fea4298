#Requires AutoHotkey v2.0
; Replace the tray icon's menu with a small launcher: each entry opens a
; program or folder. The entries come from a Map, so the menu is built in a
; loop; a separator and an Exit item close the menu.
Persistent

launchers := Map(
    "Notepad", "notepad.exe",
    "Calculator", "calc.exe",
    "Documents", A_MyDocuments,
    "Temp folder", A_Temp
)

tray := A_TrayMenu
tray.Delete()
for label, target in launchers
    tray.Add(label, LaunchItem)
tray.Add()
tray.Add("Reload launcher", (*) => Reload())
tray.Add("Exit", (*) => ExitApp())
tray.Default := "Notepad"
A_IconTip := "Quick launcher (" launchers.Count " items)"

LaunchItem(itemName, itemPos, menu)
{
    try Run(launchers[itemName])
    catch as err
        MsgBox("Could not start " itemName ":`n" err.Message, "Launcher", "Iconx")
}
