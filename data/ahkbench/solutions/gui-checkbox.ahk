Options() {
    g := Gui()
    g.Add("Checkbox", "vSound Checked", "Sound")
    g.Add("Checkbox", "vMusic", "Music")
    return g
}
