x := 1
lbl: ; a label
goto lbl
