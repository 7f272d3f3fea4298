CountFilesDeep(folder) {
    n := 0
    Loop Files folder "\*", "FR"
        n++
    return n
}
