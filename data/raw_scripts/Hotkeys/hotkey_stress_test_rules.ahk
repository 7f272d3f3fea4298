#Requires AutoHotkey v2.0
; Deliberate case for the normaliser: this script still carries names from
; the converter stress test it was taken from (see Issue #57), which the
; default rules in config/normalize.yaml rewrite. It registers a batch of
; F13-F24 hotkeys at run time and counts how many fire.

global pressed := Map()

HotkeyStressTest(first := 13, last := 24)
{
    made := 0
    Loop last - first + 1
    {
        key := "F" (first + A_Index - 1)
        Hotkey(key, CountPress)
        made++
    }
    return made
}

CountPress(hotkeyName)
{
    pressed[hotkeyName] := pressed.Get(hotkeyName, 0) + 1
    ToolTip(hotkeyName " pressed " pressed[hotkeyName] " time(s)")
    SetTimer(() => ToolTip(), -700)
}

count := HotkeyStressTest()
TrayTip(count " hotkeys registered (F13-F24)", "HotkeyStressTest")

; Ctrl+Alt+F12 shows the totals collected so far.
^!F12::
{
    report := ""
    for name, n in pressed
        report .= name ": " n "`n"
    MsgBox(report = "" ? "No presses yet." : report, "Hotkey totals")
}
