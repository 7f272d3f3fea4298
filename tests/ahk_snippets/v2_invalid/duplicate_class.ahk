class Config {
}
class Config {
}
