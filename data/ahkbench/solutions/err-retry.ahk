Retry(fn, times) {
    Loop times {
        try
            return fn()
        catch as e {
            if A_Index = times
                throw e
        }
    }
}
