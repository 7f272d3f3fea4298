try x := 1 / 0
catch ZeroDivisionError
    x := 0
finally
    y := 1
