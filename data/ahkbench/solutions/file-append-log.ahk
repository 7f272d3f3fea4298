AddLog(name, msg) => FileAppend(msg "`n", name)
LogLines(name) => StrSplit(RTrim(FileRead(name), "`n"), "`n")
