AddOk(g) => g.Add("Text", , "OK")
