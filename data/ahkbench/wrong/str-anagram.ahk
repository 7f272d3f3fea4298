IsAnagram(a, b) => StrLen(a) = StrLen(b)
