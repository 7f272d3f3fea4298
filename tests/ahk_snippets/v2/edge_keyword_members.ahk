o := {}
o.in := 1
x := o.return
o.Loop()
