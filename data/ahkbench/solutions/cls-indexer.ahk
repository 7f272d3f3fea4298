class Grid {
    __New(w, h) {
        this.w := w, this.cells := []
        this.cells.Length := w * h
        Loop w * h
            this.cells[A_Index] := 0
    }
    Cell[x, y] {
        get => this.cells[(y - 1) * this.w + x]
        set => this.cells[(y - 1) * this.w + x] := value
    }
}
