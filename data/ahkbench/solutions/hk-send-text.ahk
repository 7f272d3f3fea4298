TypingHotstring(abbr) => Hotstring(":*C:" abbr, "DATE")
