#Requires AutoHotkey v2.0
; A tiny autocorrect list: common English typos are fixed as you type.
; The list lives in a Map, and each entry becomes a hotstring at start-up
; through the Hotstring() function, so adding a typo is one line.

typos := Map(
    "teh", "the",
    "recieve", "receive",
    "adress", "address",
    "seperate", "separate",
    "definately", "definitely",
    "occured", "occurred",
    "untill", "until",
    "wich", "which",
    "becuase", "because",
    "acheive", "achieve"
)

for wrong, right in typos
    Hotstring("::" wrong, right)

; Win+Shift+A shows how many corrections are active.
#+a::MsgBox(typos.Count " autocorrect entries are active.", "Autocorrect")
