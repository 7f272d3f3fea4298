class Point {
    __New(x, y) {
        this.X := x, this.Y := y
    }
    ToString() => "(" this.X ", " this.Y ")"
}
