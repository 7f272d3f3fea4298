x := 1
f() {
    global
    x := 2
    local y := 3
}
