MakeAdder(n) => (x) => x + n
