ErrorText(fn) {
    try {
        fn()
        return "ok"
    } catch as e
        return Type(e) ": " e.Message
}
