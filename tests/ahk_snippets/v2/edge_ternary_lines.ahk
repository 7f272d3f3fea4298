x := 1
y := x > 0
    ? "pos"
    : "neg"
