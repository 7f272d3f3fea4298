MaskCard(s) => RegExReplace(s, "\d(?=(?:\D*\d){4})", "*")
