SaveAndLoad(name, text) {
    if FileExist(name)
        FileDelete(name)
    FileAppend(text, name, "UTF-8")
    return FileRead(name, "UTF-8")
}
