class Queue {
    items := []
    Enqueue(x) => this.items.Push(x)
    Dequeue() => this.items.Length ? this.items.Pop() : ""
    IsEmpty => this.items.Length = 0
}
