SizeOf(name) => FileExist(name) ? FileGetSize(name) : -1
