LoginForm() {
    g := Gui()
    g.Add("Edit", "vUser", "guest")
    g.Add("Edit", "vPass Password")
    return g
}
