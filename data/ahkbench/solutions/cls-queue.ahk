class Queue {
    items := []
    Enqueue(x) => this.items.Push(x)
    Dequeue() => this.items.Length ? this.items.RemoveAt(1) : ""
    IsEmpty => this.items.Length = 0
}
