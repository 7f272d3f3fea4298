Rename(old, new) {
    FileMove(old, new)
    return FileExist(new) != "" && FileExist(old) = ""
}
