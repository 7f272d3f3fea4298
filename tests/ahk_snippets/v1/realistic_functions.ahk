Greet(name, ByRef count) {
    count++
    return "Hello, " name
}
n := 0
msg := Greet("World", n)
MsgBox, %msg% (%n%)
obj := Object()
obj.Insert("key", "value")
if obj.HasKey("key")
    MsgBox % obj["key"]
