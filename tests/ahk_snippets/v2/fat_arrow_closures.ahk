double := x => x * 2
add := (a, b) => a + b
makeCounter() {
    n := 0
    return () => ++n
}
next := makeCounter()
MsgBox double(3) add(1, 2) next() next()
