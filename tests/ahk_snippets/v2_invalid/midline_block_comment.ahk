y := 2 /* a block comment must start a line */
