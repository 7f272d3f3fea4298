#Requires AutoHotkey v2.0
; Greatest common divisor (Euclid's algorithm), least common multiple, and
; a Fraction class that reduces itself and can add and multiply fractions,
; e.g. 1/6 + 1/4 = 5/12.

Gcd(a, b)
{
    a := Abs(a), b := Abs(b)
    while b
        t := b, b := Mod(a, b), a := t
    return a
}

Lcm(a, b) => a && b ? Abs(a * b) // Gcd(a, b) : 0

class Fraction
{
    __New(num, den := 1)
    {
        if den = 0
            throw ZeroDivisionError("denominator is zero")
        if den < 0
            num := -num, den := -den
        g := Gcd(num, den) || 1
        this.num := num // g, this.den := den // g
    }
    Add(o) => Fraction(this.num * o.den + o.num * this.den, this.den * o.den)
    Mul(o) => Fraction(this.num * o.num, this.den * o.den)
    ToString() => this.den = 1 ? String(this.num) : this.num "/" this.den
}

a := Fraction(1, 6), b := Fraction(1, 4)
MsgBox("gcd(84, 36) = " Gcd(84, 36)
    . "`nlcm(4, 6) = " Lcm(4, 6)
    . "`n1/6 + 1/4 = " a.Add(b).ToString()
    . "`n1/6 * 1/4 = " a.Mul(b).ToString()
    . "`n6/-8 = " Fraction(6, -8).ToString(), "Fractions")
