class Rect {
    __New(w, h) {
        this.w := w, this.h := h
    }
    Area => this.w * this.h
    Perimeter => this.w + this.h
}
