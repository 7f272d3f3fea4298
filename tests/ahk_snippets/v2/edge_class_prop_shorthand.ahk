class Q {
    static Count := 0
    Name := "q"
    Full => this.Name "!"
    static Make() => Q()
}
