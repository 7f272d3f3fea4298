TypingHotstring(abbr) => Hotstring("::" abbr, "DATE")
