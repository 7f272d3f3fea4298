class Stack {
    items := []
    Push(x) => this.items.InsertAt(1, x)
    Pop() => this.items.Pop()
    Peek() => this.items[1]
    Size => this.items.Length
}
