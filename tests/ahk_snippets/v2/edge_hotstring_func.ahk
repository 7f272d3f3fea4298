Hotstring(":*:btw", "by the way")
