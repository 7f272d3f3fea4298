global a := 1, b, c := 3
