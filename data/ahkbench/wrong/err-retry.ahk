Retry(fn, times) {
    try
        return fn()
    catch
        return ""
}
