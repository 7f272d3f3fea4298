#Requires AutoHotkey v2.0
; String helpers: reverse a string character by character, and check
; whether a phrase is a palindrome once spaces and punctuation are ignored.
; An InputBox asks for a phrase and the verdict is shown in a MsgBox.

ReverseString(text)
{
    out := ""
    Loop Parse text
        out := A_LoopField out
    return out
}

IsPalindrome(phrase)
{
    letters := RegExReplace(StrLower(phrase), "[^a-z0-9]")
    return letters != "" && letters = ReverseString(letters)
}

answer := InputBox("Type a word or phrase:", "Palindrome check", , "Never odd or even")
if answer.Result = "OK"
{
    verdict := IsPalindrome(answer.Value) ? "is" : "is not"
    MsgBox(Format('"{1}" {2} a palindrome.`nReversed: {3}'
        , answer.Value, verdict, ReverseString(answer.Value)))
}
