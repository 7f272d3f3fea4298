f() {
}
g() => 0
class E {
}
