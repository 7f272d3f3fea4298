#Requires AutoHotkey v2.0
; A settings dialog with two tabs (General and Advanced) that loads and
; saves its values in an INI file next to the script with IniRead/IniWrite.
; Checkbox, DropDownList, Slider and Edit controls are used.

iniFile := A_ScriptDir "\settings.ini"

dlg := Gui(, "Settings")
tabs := dlg.AddTab3("w320 h200", ["General", "Advanced"])

tabs.UseTab(1)
dlg.AddCheckbox("vStartWithWindows", "Start with Windows")
dlg.AddText(, "Theme:")
dlg.AddDropDownList("vTheme w150", ["Light", "Dark", "System"])
dlg.AddText(, "Opacity:")
dlg.AddSlider("vOpacity w200 Range50-255 ToolTip", 255)

tabs.UseTab(2)
dlg.AddText(, "Log folder:")
dlg.AddEdit("vLogFolder w280")
dlg.AddCheckbox("vVerbose", "Verbose logging")

tabs.UseTab()
dlg.AddButton("w90 Default", "OK").OnEvent("Click", SaveAndClose)
dlg.AddButton("x+10 w90", "Cancel").OnEvent("Click", (*) => dlg.Hide())

LoadSettings()
dlg.Show()

LoadSettings()
{
    dlg["StartWithWindows"].Value := IniRead(iniFile, "General", "StartWithWindows", 0)
    dlg["Theme"].Choose(IniRead(iniFile, "General", "Theme", "System"))
    dlg["Opacity"].Value := IniRead(iniFile, "General", "Opacity", 255)
    dlg["LogFolder"].Value := IniRead(iniFile, "Advanced", "LogFolder", A_Temp)
    dlg["Verbose"].Value := IniRead(iniFile, "Advanced", "Verbose", 0)
}

SaveAndClose(*)
{
    saved := dlg.Submit()
    for section, keys in Map("General", ["StartWithWindows", "Theme", "Opacity"]
                           , "Advanced", ["LogFolder", "Verbose"])
        for key in keys
            IniWrite(saved.%key%, iniFile, section, key)
}
