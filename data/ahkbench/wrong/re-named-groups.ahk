ParseDate(s) {
    RegExMatch(s, "(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})", &m)
    return m.m "/" m.d "/" m.y
}
