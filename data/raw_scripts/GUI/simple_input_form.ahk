#Requires AutoHotkey v2.0
; A small contact form built with Gui(): name, e-mail and a comment box.
; Pressing "Save" validates the fields and appends one CSV line to
; contacts.csv beside the script; "Cancel" or Escape closes the window.

form := Gui("+AlwaysOnTop", "New contact")
form.SetFont("s10", "Segoe UI")
form.AddText(, "Name:")
form.AddEdit("vName w260")
form.AddText(, "E-mail:")
form.AddEdit("vEmail w260")
form.AddText(, "Comment:")
form.AddEdit("vComment w260 r4")
form.AddButton("Default w80", "Save").OnEvent("Click", SaveContact)
form.AddButton("x+10 w80", "Cancel").OnEvent("Click", (*) => form.Destroy())
form.OnEvent("Escape", (*) => form.Destroy())
form.Show()

SaveContact(btn, *)
{
    data := btn.Gui.Submit(false)
    if Trim(data.Name) = ""
        return MsgBox("Please enter a name.", "Missing field", "Icon!")
    if !RegExMatch(data.Email, "^[^@\s]+@[^@\s]+\.\w+$")
        return MsgBox("That e-mail address does not look right.", "Check e-mail", "Icon!")
    comment := StrReplace(data.Comment, "`n", " ")
    line := Format('"{1}","{2}","{3}"`n', data.Name, data.Email, comment)
    FileAppend(line, A_ScriptDir "\contacts.csv", "UTF-8")
    btn.Gui.Destroy()
    TrayTip("Contact saved", data.Name)
}
