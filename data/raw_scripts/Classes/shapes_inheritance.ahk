#Requires AutoHotkey v2.0
; Classes with inheritance: a base Shape class and Circle, Rectangle and
; Square subclasses that override Area() and Describe(). Square extends
; Rectangle and calls super.__New. The shapes are listed by area.

class Shape
{
    __New(name) => this.name := name
    Area() => 0
    Describe() => Format("{} with area {:.2f}", this.name, this.Area())
}

class Circle extends Shape
{
    __New(radius)
    {
        super.__New("Circle")
        this.radius := radius
    }
    Area() => 3.14159265 * this.radius ** 2
}

class Rectangle extends Shape
{
    __New(width, height, name := "Rectangle")
    {
        super.__New(name)
        this.width := width, this.height := height
    }
    Area() => this.width * this.height
}

class Square extends Rectangle
{
    __New(side) => super.__New(side, side, "Square")
    Describe() => super.Describe() " (side " this.width ")"
}

shapes := [Circle(1.5), Rectangle(3, 4), Square(2.5)]
text := ""
for s in shapes
    text .= s.Describe() "`n"
MsgBox(text, "Shapes")
