FindPair(arr, target) {
    Loop arr.Length {
        i := A_Index
        Loop arr.Length - i {
            j := i + A_Index
            if arr[i] + arr[j] = target
                return i "," j
        }
    }
    return "none"
}
