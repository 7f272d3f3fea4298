f() {
start:
    loop 2 {
        continue start
    }
}
