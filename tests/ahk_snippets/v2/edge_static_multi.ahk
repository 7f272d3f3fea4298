f() {
    static a := 1, b := [2], c := Map()
    return a
}
