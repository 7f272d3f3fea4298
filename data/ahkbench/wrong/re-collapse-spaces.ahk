Squeeze(s) => RegExReplace(s, "\s+", " ")
