FirstWord(s) => StrSplit(s, " ")[1]
