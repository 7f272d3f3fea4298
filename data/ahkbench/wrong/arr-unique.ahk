Unique(arr) {
    return arr
}
