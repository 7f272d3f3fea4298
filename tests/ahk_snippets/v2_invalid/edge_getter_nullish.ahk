class P {
    X {
        get => this._x ?? 0
        set => this._x := value
    }
}
