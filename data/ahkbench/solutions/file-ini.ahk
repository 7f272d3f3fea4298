SaveSetting(file, key, value) => IniWrite(value, file, "main", key)
LoadSetting(file, key) => IniRead(file, "main", key, "")
