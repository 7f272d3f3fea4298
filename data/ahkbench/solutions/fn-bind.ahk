Concat(a, b) => a b
Prefixer(prefix) => Concat.Bind(prefix)
