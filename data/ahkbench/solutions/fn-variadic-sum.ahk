SumAll(nums*) {
    total := 0
    for v in nums
        total += v
    return total
}
