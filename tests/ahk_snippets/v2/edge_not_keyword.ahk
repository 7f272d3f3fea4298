x := not true
if not x
    y := 1
