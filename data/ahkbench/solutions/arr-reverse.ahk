Reversed(arr) {
    out := []
    Loop arr.Length
        out.Push(arr[arr.Length - A_Index + 1])
    return out
}
