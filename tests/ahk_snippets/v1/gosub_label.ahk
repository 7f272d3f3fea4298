Gosub, Setup
return
Setup:
    x := 1
return
