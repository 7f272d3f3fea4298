inc(&n) {
    n++
}
v := 1
inc(&v)
r := &v
