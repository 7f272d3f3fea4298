#Requires AutoHotkey v2.0
; Caesar and ROT13 ciphers: shift every letter of a text by a number of
; places, keeping case and leaving other characters alone. Ctrl+Alt+R
; replaces the selected text with its ROT13 form (apply twice to undo).

CaesarShift(text, shift) {
    out := ""
    shift := Mod(Mod(shift, 26) + 26, 26)
    Loop Parse text {
        code := Ord(A_LoopField)
        if (code >= 65 && code <= 90) {
            out .= Chr(Mod(code - 65 + shift, 26) + 65)
        } else if (code >= 97 && code <= 122) {
            out .= Chr(Mod(code - 97 + shift, 26) + 97)
        } else {
            out .= A_LoopField
        }
    }
    return out
}

Rot13(text) => CaesarShift(text, 13)

^!r:: {
    saved := ClipboardAll()
    A_Clipboard := ""
    Send("^c")
    if ClipWait(1) {
        A_Clipboard := Rot13(A_Clipboard)
        Send("^v")
        Sleep(100)
    }
    A_Clipboard := saved
}

secret := CaesarShift("Attack at dawn!", 3)
MsgBox("Shift 3: " secret "`nBack: " CaesarShift(secret, -3) "`nROT13: " Rot13("Hello, World"))
