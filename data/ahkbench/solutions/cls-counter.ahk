class Counter {
    Count := 0
    Increment() => ++this.Count
    Reset() => this.Count := 0
}
