#Requires AutoHotkey v2.0
; Ask for an age with InputBox until the answer is a whole number between 1
; and 120, or the user cancels. Uses a Loop with continue for bad input,
; IsInteger for checking, and a ternary for the final message.

Loop
{
    reply := InputBox("How old are you?", "Age", "w220 h110")
    if reply.Result != "OK"
    {
        MsgBox("Cancelled.")
        ExitApp()
    }
    value := Trim(reply.Value)
    if !IsInteger(value)
    {
        MsgBox("'" value "' is not a whole number. Try again.", , "Icon!")
        continue
    }
    age := Integer(value)
    if age < 1 || age > 120
    {
        MsgBox("Please enter an age between 1 and 120.", , "Icon!")
        continue
    }
    break
}
group := age < 13 ? "a child" : age < 20 ? "a teenager" : age < 65 ? "an adult" : "a senior"
MsgBox("At " age " you are " group ".")
