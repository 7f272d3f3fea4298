#Requires AutoHotkey v2.0
; Deliberate case: a MIXED script. It declares v2 and most of it is v2
; (functions, Map(), fat-arrow, Gui()), but a few v1 lines were left behind
; from a half-finished conversion: MsgBox with a comma, %var% dereferences,
; a legacy "=" assignment and StringReplace.

shortcuts := Map("Mail", "outlook.exe", "Editor", "notepad.exe", "Shell", "cmd.exe")

Launch(name) => Run(shortcuts[name])

BuildMenuWindow()
{
    win := Gui(, "Shortcuts")
    for name in shortcuts
        win.AddButton("w160", name).OnEvent("Click", (btn, *) => Launch(btn.Text))
    win.Show()
    return win
}

main := BuildMenuWindow()

; --- left over from the v1 version ---
greeting = Hello %A_UserName%
StringReplace, greeting, greeting, Hello, Hi
MsgBox, %greeting%, %shortcuts.Count% shortcuts are ready.

^!m::main.Show()
