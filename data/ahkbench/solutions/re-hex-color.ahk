IsHexColor(s) => RegExMatch(s, "^#[0-9a-fA-F]{6}$") > 0
