People(rows) {
    g := Gui()
    lv := g.Add("ListView", "vLV", ["Name", "Age"])
    for r in rows
        lv.Add(, r*)
    return g
}
