#Requires AutoHotkey v2.0
; Properties with get and set accessors: a Temperature class stores
; Celsius internally and exposes Fahrenheit and Kelvin as computed
; properties; setting any of them updates the others. Invalid values below
; absolute zero raise a ValueError.

class Temperature
{
    __New(celsius := 0) => this.Celsius := celsius

    Celsius
    {
        get => this._c
        set
        {
            if value < -273.15
                throw ValueError("Below absolute zero: " value)
            this._c := value
        }
    }

    Fahrenheit
    {
        get => this._c * 9 / 5 + 32
        set => this.Celsius := (value - 32) * 5 / 9
    }

    Kelvin
    {
        get => this._c + 273.15
        set => this.Celsius := value - 273.15
    }

    ToString() => Format("{:.1f} °C = {:.1f} °F = {:.1f} K", this.Celsius, this.Fahrenheit, this.Kelvin)
}

t := Temperature(21)
lines := t.ToString() "`n"
t.Fahrenheit := 212
lines .= t.ToString() "`n"
t.Kelvin := 0
lines .= t.ToString() "`n"
try t.Celsius := -300
catch ValueError as e
    lines .= "Rejected: " e.Message
MsgBox(lines, "Temperature")
