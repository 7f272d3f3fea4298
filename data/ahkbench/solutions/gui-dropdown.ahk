ColorPicker(colors) {
    g := Gui()
    g.Add("DropDownList", "vColor Choose2", colors)
    return g
}
