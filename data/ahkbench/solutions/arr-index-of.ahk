IndexOf(arr, value) {
    for i, v in arr
        if v = value
            return i
    return 0
}
