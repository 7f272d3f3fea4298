Form(labels) {
    g := Gui()
    for label in labels
        g.Add("Edit", , label)
    return g
}
