o := {default: 1, class: 2, if: 3, loop: 4}
MsgBox o.class o.default
