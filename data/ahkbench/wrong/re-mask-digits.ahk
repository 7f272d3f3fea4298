MaskCard(s) => RegExReplace(s, "\d", "*")
