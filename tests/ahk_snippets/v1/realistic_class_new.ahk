class Counter {
    __New(start := 0) {
        this.value := start
    }
    Inc() {
        this.value += 1
        return this
    }
}
c := new Counter(5)
c.Inc().Inc()
MsgBox % c.value
