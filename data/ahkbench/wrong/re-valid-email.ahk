IsEmail(s) => InStr(s, "@") > 0
