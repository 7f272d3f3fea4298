SizeChoice() {
    g := Gui()
    g.Add("Radio", "vSize", "Small")
    g.Add("Radio", "Checked", "Medium")
    g.Add("Radio", , "Large")
    return g
}
