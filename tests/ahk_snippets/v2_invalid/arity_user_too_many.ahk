Greet(name, greeting := "Hi") {
    return greeting " " name
}
MsgBox Greet("a", "b", "c")
