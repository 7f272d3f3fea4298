AddAbbrev(abbr, text) => Hotstring("::" abbr, text)
