Form(labels) {
    g := Gui()
    for label in labels {
        g.Add("Text", , label)
        g.Add("Edit")
    }
    return g
}
