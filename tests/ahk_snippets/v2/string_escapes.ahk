s := "Tab:`tNew line:`nQuote: `" and semicolon `; here"
t := 'single "quotes" with `'escaped`' ones'
MsgBox s t
