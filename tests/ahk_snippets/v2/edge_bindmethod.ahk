class H {
    __New() {
        OnMessage(0x200, ObjBindMethod(this, "Move"))
    }
    Move(*) {
    }
}
