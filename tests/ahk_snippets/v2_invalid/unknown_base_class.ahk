class Child extends MissingBase {
}
