Greet(name, greeting := "Hello", punct?) {
    return greeting ", " name (IsSet(punct) ? punct : "!")
}
MsgBox Greet("Ann")
MsgBox Greet("Bob", "Hi", ".")
