Duration(seconds) => Format("{}:{:02}:{:02}", seconds // 3600, Mod(seconds, 3600) // 60, Mod(seconds, 60))
