class Animal {
    __New(name) {
        this.name := name
    }
    Speak() => this.name " makes a sound"
}
class Dog extends Animal {
    Speak() => this.name " barks"
}
MsgBox Dog("Rex").Speak()
