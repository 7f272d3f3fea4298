#Requires AutoHotkey v2.0
; FizzBuzz three ways: with if/else if, with a switch on true, and with a
; table of divisors so new rules ("Bazz" for 7) are one more entry.

FizzBuzzIf(n)
{
    if Mod(n, 15) = 0
        return "FizzBuzz"
    else if Mod(n, 3) = 0
        return "Fizz"
    else if Mod(n, 5) = 0
        return "Buzz"
    return n
}

FizzBuzzSwitch(n)
{
    switch true
    {
        case Mod(n, 15) = 0: return "FizzBuzz"
        case Mod(n, 3) = 0: return "Fizz"
        case Mod(n, 5) = 0: return "Buzz"
        default: return n
    }
}

FizzBuzzTable(n, rules := [[3, "Fizz"], [5, "Buzz"], [7, "Bazz"]])
{
    out := ""
    for rule in rules
        if Mod(n, rule[1]) = 0
            out .= rule[2]
    return out = "" ? n : out
}

lines := ""
Loop 21
    lines .= Format("{:3}  {:-9} {:-9} {}`n", A_Index, FizzBuzzIf(A_Index)
        , FizzBuzzSwitch(A_Index), FizzBuzzTable(A_Index))
MsgBox(lines, "FizzBuzz")
