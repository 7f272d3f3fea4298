class Widget {
    static Created := 0
    __New() {
        Widget.Created++
    }
}
