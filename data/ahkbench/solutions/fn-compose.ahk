Compose(f, g) => (x) => f(g(x))
