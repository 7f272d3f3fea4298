Kind(path) => FileExist(path) ? "file" : "none"
