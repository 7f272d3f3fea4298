FirstWord(s) => RegExMatch(s, "[A-Za-z]+", &m) ? m[0] : ""
