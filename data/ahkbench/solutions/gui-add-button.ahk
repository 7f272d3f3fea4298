AddOk(g) => g.Add("Button", , "OK")
