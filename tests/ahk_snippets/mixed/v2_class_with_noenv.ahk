#NoEnv
class Box {
    __New(w) => this.w := w
}
b := Box(3)
MsgBox(b.w)
