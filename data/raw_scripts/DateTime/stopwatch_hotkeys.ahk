#Requires AutoHotkey v2.0
; A keyboard stopwatch with lap times: F6 starts/stops, F7 records a lap,
; F8 resets. The elapsed time, measured with A_TickCount, is shown in a
; tooltip that refreshes ten times a second while running.

running := false, startTick := 0, elapsed := 0, laps := []

FormatMs(ms) => Format("{:02}:{:02}.{:01}", ms // 60000, Mod(ms // 1000, 60), Mod(ms // 100, 10))

Current() => running ? elapsed + A_TickCount - startTick : elapsed

Refresh()
{
    text := "Stopwatch " FormatMs(Current())
    for i, lap in laps
        text .= "`nLap " i ": " FormatMs(lap)
    ToolTip(text, 10, 10)
}

F6::
{
    global running, startTick, elapsed
    if running
        elapsed += A_TickCount - startTick, running := false
    else
        startTick := A_TickCount, running := true
    SetTimer(Refresh, running ? 100 : 0)
    Refresh()
}
F7::
{
    if running
        laps.Push(Current())
    Refresh()
}
F8::
{
    global running, elapsed, laps
    running := false, elapsed := 0, laps := []
    SetTimer(Refresh, 0)
    ToolTip()
}
