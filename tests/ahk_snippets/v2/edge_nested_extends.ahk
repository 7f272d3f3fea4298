class Outer {
    class Inner {
    }
}
class Child extends Outer.Inner {
}
