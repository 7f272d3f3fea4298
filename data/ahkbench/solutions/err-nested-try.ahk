Classify(fn) {
    try
        fn()
    catch IndexError
        return "index"
    catch UnsetItemError
        return "key"
    catch
        return "other"
    return "fine"
}
