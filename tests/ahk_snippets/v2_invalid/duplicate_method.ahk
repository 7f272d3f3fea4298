class Shape {
    Area() => 0
    area() => 1
}
