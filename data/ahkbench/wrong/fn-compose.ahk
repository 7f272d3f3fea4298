Compose(f, g) => (x) => g(f(x))
