#Requires AutoHotkey v2.0
; Turn CapsLock into a navigation layer: while CapsLock is held,
; H/J/K/L act as arrow keys, U/O as Home/End and Backspace deletes a word.
; A quick tap of CapsLock alone still toggles caps lock as usual.

SetCapsLockState("AlwaysOff")

CapsLock::
{
    KeyWait("CapsLock")
    ; a short press with no other key in between counts as a tap
    if (A_PriorKey = "CapsLock" && A_TimeSinceThisHotkey < 250)
    {
        state := GetKeyState("CapsLock", "T") ? "AlwaysOff" : "AlwaysOn"
        SetCapsLockState(state)
    }
}

#HotIf GetKeyState("CapsLock", "P")
h::Send("{Left}")
j::Send("{Down}")
k::Send("{Up}")
l::Send("{Right}")
u::Send("{Home}")
o::Send("{End}")
Backspace::Send("^{Backspace}")
#HotIf
