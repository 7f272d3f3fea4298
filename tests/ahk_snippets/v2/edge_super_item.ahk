class M extends Map {
    __Item[k] {
        get => super.__Item[k]
        set => super.__Item[k] := value
    }
}
