RegisterSave(fn) => Hotkey("^!s", fn)
