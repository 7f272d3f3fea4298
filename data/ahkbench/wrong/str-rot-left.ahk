RotateLeft(s, n) => SubStr(s, n + 1) SubStr(s, 1, n)
