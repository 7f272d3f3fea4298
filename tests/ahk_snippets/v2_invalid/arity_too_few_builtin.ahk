pos := InStr("haystack")
