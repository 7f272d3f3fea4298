IndexOf(arr, value) {
    for i, v in arr
        if v = value
            return i - 1
    return -1
}
