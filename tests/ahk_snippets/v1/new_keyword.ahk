obj := new MyClass()
class MyClass {
}
MsgBox, % obj.x
