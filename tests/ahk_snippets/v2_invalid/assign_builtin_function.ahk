StrLen := 5
