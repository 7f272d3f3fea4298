class Stack {
    items := []
    Push(x) => this.items.Push(x)
    Pop() => this.items.Pop()
    Peek() => this.items[this.items.Length]
    Size => this.items.Length
}
