a := unset
b := a ?? "default"
c := b = "default" ? "yes" : "no"
d := c = "yes" ? 1 : c = "no" ? 2 : 3
MsgBox b c d
