#Requires AutoHotkey v2.0
; A tiny state machine: a traffic light cycles red -> green -> yellow -> red
; driven by SetTimer, each state with its own duration. The current state
; is shown in a small always-on-top window. Esc stops the script.

states := Map(
    "red",    {next: "green",  ms: 3000, color: "Red"},
    "green",  {next: "yellow", ms: 2500, color: "Lime"},
    "yellow", {next: "red",    ms: 1000, color: "Yellow"}
)
current := "red"

light := Gui("+AlwaysOnTop -MinimizeBox", "Traffic light")
light.SetFont("s20 bold")
label := light.AddText("w180 h60 Center +0x200", "")
light.Show()
Advance()

Advance()
{
    global current
    s := states[current]
    label.Value := StrUpper(current)
    label.Opt("Background" s.color)
    SetTimer(Step, -s.ms)
}

Step()
{
    global current
    current := states[current].next
    Advance()
}

Esc::ExitApp()
