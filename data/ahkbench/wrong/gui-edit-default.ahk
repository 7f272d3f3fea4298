LoginForm() {
    g := Gui()
    g.Add("Edit", "vUser")
    g.Add("Edit", "vPass Password")
    return g
}
