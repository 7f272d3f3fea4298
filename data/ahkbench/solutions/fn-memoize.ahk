Memoize(fn) {
    cache := Map()
    return (x) => cache.Has(x) ? cache[x] : (cache[x] := fn(x))
}
