#Requires AutoHotkey v2.0
; List the prime numbers up to a limit with the Sieve of Eratosthenes and
; show how many there are, their sum and the largest gap between two
; consecutive primes.

PrimesUpTo(limit)
{
    isComposite := []
    isComposite.Length := limit
    primes := []
    Loop limit - 1
    {
        n := A_Index + 1
        if isComposite.Has(n)
            continue
        primes.Push(n)
        m := n * n
        while m <= limit
        {
            isComposite[m] := true
            m += n
        }
    }
    return primes
}

limit := 500
found := PrimesUpTo(limit)
total := 0, gap := 0, gapAt := 0
for i, p in found
{
    total += p
    if i > 1 && p - found[i - 1] > gap
        gap := p - found[i - 1], gapAt := found[i - 1]
}
listing := ""
for p in found
    listing .= p (Mod(A_Index, 15) ? " " : "`n")
MsgBox(Format("{} primes below {}, sum {}.`nLargest gap: {} after {}.`n`n{}"
    , found.Length, limit, total, gap, gapAt, listing), "Primes")
