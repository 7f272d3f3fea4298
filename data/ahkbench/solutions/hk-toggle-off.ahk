Pause(key) => Hotkey(key, "Off")
Resume(key) => Hotkey(key, "On")
