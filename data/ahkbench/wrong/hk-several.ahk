RegisterAll(keys, fn) {
    Hotkey(keys[1], fn)
    return keys.Length
}
