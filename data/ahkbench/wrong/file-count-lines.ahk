CountLines(name) => StrSplit(FileRead(name), "`n").Length
