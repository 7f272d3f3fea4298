Attempt(fns) {
    failed := 0
    for fn in fns {
        try
            fn()
        catch
            failed++
    }
    return failed
}
