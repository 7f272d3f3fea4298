o := {a: 1, b: 2}
for name, value in o.OwnProps()
    MsgBox name "=" value
