AddAbbrev(abbr, text) => Hotstring(":*:" abbr "x", text)
