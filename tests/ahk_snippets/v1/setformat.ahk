SetFormat, Float, 0.2
x := 1/3
