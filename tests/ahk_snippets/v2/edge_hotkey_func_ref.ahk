Hotkey "F3", Handler
Handler(hk) {
    MsgBox hk
}
