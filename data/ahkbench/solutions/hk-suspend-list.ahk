Toggle(key, fn, state) {
    Hotkey(key, fn, state ? "On" : "Off")
    return state
}
