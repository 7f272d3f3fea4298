result := Format("{1} {2} {3}"
    , "first"
    , "second"
    , "third")
total := 1
    + 2
    + 3
ok := true
    && total > 3
    || false
MsgBox(result,
    "Title")
