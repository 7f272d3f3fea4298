SumArray(arr) {
    total := 0
    Loop arr.Length - 1
        total += arr[A_Index]
    return total
}
