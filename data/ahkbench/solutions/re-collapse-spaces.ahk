Squeeze(s) => Trim(RegExReplace(s, "\s+", " "))
