RegisterMap(m) {
    for key, text in m
        Hotkey(key, ((t, *) => SendText(t)).Bind(text))
    return m.Count
}
