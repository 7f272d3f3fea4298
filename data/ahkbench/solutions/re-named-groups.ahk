ParseDate(s) {
    if !RegExMatch(s, "^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$", &m)
        return ""
    return m.d "/" m.m "/" m.y
}
