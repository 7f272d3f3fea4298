SetTimer Tick, 1000
Tick() {
    ToolTip A_Now
}
Retry:
attempts := (attempts ?? 0) + 1
if attempts < 3
    goto Retry
