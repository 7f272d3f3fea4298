MaxOf(arr) {
    return arr[arr.Length]
}
