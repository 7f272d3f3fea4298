Kind(path) {
    attr := FileExist(path)
    return attr = "" ? "none" : InStr(attr, "D") ? "folder" : "file"
}
