Options() {
    g := Gui()
    g.Add("Checkbox", "vSound", "Sound")
    g.Add("Checkbox", "vMusic Checked", "Music")
    return g
}
