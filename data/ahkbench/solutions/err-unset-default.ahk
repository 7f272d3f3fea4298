Lookup(m, key, default := "n/a") {
    try
        return m[key]
    catch UnsetItemError
        return default
}
