CountFilesDeep(folder) {
    n := 0
    Loop Files folder "\*", "F"
        n++
    return n
}
