Snake(s) => StrLower(RegExReplace(s, "(?<=[a-z0-9])([A-Z])", "_$1"))
