SizeOf(name) => FileExist(name) ? StrLen(FileRead(name)) : 0
