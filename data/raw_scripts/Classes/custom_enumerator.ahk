#Requires AutoHotkey v2.0
; A Range class that can be used directly in a for-loop by implementing
; __Enum. Range(1, 10, 3) yields 1, 4, 7, 10; with two loop variables the
; first is the position and the second the value.

class Range
{
    __New(start, stop, step := 1)
    {
        if step = 0
            throw ValueError("step must not be 0")
        this.start := start, this.stop := stop, this.step := step
    }

    __Enum(numberOfVars)
    {
        current := this.start, stop := this.stop, step := this.step, pos := 0
        Next(&a, &b := "")
        {
            if (step > 0 ? current > stop : current < stop)
                return false
            pos += 1
            if numberOfVars = 1
                a := current
            else
                a := pos, b := current
            current += step
            return true
        }
        return Next
    }
}

out := ""
for n in Range(1, 10, 3)
    out .= n " "
out .= "`n"
for i, n in Range(10, 0, -5)
    out .= i ":" n " "
MsgBox(out, "Range")
