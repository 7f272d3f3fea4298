Ellipsis(s, max) => SubStr(s, 1, max) "..."
