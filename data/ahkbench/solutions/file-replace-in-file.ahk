ReplaceInFile(name, find, repl) {
    text := StrReplace(FileRead(name), find, repl, , &count)
    FileDelete(name)
    FileAppend(text, name)
    return count
}
