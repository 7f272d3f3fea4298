DigitSum(n) {
    total := 0
    Loop Parse String(n)
        total += A_LoopField
    return total
}
