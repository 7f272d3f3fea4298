Reduce(arr, fn, init) {
    acc := init
    for v in arr
        acc := fn(v, acc)
    return acc
}
