MakeAdder(n) => (x) => x + 1
