SizeChoice() {
    g := Gui()
    g.Add("Radio", "vSize Checked", "Small")
    g.Add("Radio", , "Medium")
    g.Add("Radio", , "Large")
    return g
}
