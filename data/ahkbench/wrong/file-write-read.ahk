SaveAndLoad(name, text) {
    FileAppend(text, name, "UTF-8")
    return FileRead(name, "UTF-8")
}
