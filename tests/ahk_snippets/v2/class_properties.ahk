class Counter {
    static instances := 0
    count := 0
    __New() {
        Counter.instances += 1
    }
    Value {
        get => this.count
        set => this.count := value
    }
    Double[factor := 2] {
        get {
            return this.count * factor
        }
    }
    Inc(by := 1) {
        this.count += by
        return this
    }
}
c := Counter().Inc().Inc(3)
MsgBox c.Value " " c.Double[3]
