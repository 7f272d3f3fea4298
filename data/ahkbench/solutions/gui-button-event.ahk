Clicker(counter) {
    g := Gui()
    btn := g.Add("Button", "vAdd", "Add")
    btn.OnEvent("Click", (*) => counter.n++)
    return g
}
