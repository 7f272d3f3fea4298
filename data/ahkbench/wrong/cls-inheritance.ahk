class Animal {
    __New(name) {
        this.name := name
    }
    Speak() => this.name ": ..."
}
class Dog extends Animal {
}
