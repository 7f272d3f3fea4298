ReadForm(g) {
    s := ""
    for name, value in g.Submit(false).OwnProps()
        s .= name "=" value ";"
    return RTrim(s, ";")
}
