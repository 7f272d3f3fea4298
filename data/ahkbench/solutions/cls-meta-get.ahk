class Defaults {
    __Get(name, params) => "none"
}
