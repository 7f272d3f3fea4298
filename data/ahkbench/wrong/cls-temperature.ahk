class Temperature {
    Celsius := 0
    Fahrenheit {
        get => this.Celsius * 9 / 5 + 32
        set => this.Celsius := value
    }
}
