UpperCopy(src, dst) => FileAppend(StrUpper(FileRead(src)), dst)
