f := (a, b) =>
    a + b
