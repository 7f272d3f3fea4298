class Widget {
    Created := 0
    __New() {
        this.Created++
    }
}
