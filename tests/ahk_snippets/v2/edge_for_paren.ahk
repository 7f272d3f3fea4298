for (k, v in [1, 2])
    x := v
