class MyGui extends Gui {
    __New() {
        super.__New(, "T")
        this.AddText(, "x")
    }
}
