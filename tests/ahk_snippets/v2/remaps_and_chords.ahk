a::b
RAlt::RCtrl
XButton1::Send "^c"
Numpad0 & Numpad1::MsgBox "chord"
*Esc up::return
