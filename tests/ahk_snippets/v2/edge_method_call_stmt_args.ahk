g := Gui()
g.Add "Text", , "hi"
g.Show
