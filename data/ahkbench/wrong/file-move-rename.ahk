Rename(old, new) {
    FileCopy(old, new)
    return FileExist(new) != "" && FileExist(old) = ""
}
