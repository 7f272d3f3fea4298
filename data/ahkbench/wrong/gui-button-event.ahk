Clicker(counter) {
    g := Gui()
    btn := g.Add("Button", "vAdd", "Add")
    return g
}
