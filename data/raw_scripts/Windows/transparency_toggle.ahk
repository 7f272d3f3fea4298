#Requires AutoHotkey v2.0
; Make the active window see-through. Ctrl+Alt+WheelUp/WheelDown change the
; opacity in steps of 25; Ctrl+Alt+0 makes the window opaque again.

AdjustOpacity(delta)
{
    current := WinGetTransparent("A")
    level := (current = "" ? 255 : current) + delta
    level := Min(255, Max(30, level))
    WinSetTransparent(level = 255 ? "Off" : level, "A")
    ToolTip("Opacity " Round(level / 2.55) "%")
    SetTimer(() => ToolTip(), -800)
}

^!WheelUp::AdjustOpacity(25)
^!WheelDown::AdjustOpacity(-25)
^!0::
{
    WinSetTransparent("Off", "A")
    ToolTip("Opaque")
    SetTimer(() => ToolTip(), -800)
}
