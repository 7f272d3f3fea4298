SafeDivide(a, b) {
    try
        return a / b
    catch ZeroDivisionError
        return "undefined"
}
