ColorPicker(colors) {
    g := Gui()
    g.Add("DropDownList", "vColor Choose1", colors)
    return g
}
