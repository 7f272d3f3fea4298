#Requires AutoHotkey v2.0
; Make sure only one copy of a helper program runs, and bring the existing
; window to the front instead of starting another. #SingleInstance takes
; care of this script itself; the function handles an external program.
#SingleInstance Force

ActivateOrRun(exe, target := "")
{
    if pid := ProcessExist(exe)
    {
        if WinExist("ahk_pid " pid)
        {
            WinActivate()
            return "activated"
        }
        return "running without a window"
    }
    Run(target = "" ? exe : target)
    return "started"
}

^!c::ToolTip("Calculator: " ActivateOrRun("CalculatorApp.exe", "calc.exe"))
^!n::ToolTip("Notepad: " ActivateOrRun("notepad.exe"))
~LButton::ToolTip()
