class A {
    static __New() {
        A.ready := true
    }
    __Delete() {
    }
    static Item[i] {
        get => i * 2
    }
}
