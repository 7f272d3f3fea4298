Ellipsis(s, max) => StrLen(s) <= max ? s : SubStr(s, 1, max - 3) "..."
