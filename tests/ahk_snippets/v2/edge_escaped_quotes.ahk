s := "say `"hi`" ok"
t := 'it`'s'
