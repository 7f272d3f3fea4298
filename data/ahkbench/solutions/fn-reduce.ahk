Reduce(arr, fn, init) {
    acc := init
    for v in arr
        acc := fn(acc, v)
    return acc
}
