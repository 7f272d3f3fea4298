class Settings {
    static value := 1
}
Settings := Map()
