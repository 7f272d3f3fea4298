FirstNegative(arr) {
    for v in arr
        if v < 0
            return v
    throw Error("no negative number")
}
