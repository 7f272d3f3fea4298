ToInt(s, fallback) {
    try
        return Integer(s)
    catch TypeError
        return fallback
}
