RegisterAll(keys, fn) {
    for k in keys
        Hotkey(k, fn)
    return keys.Length
}
