Swap(&a, &b) {
    tmp := a, a := b, b := tmp
}
Sum(nums*) {
    total := 0
    for n in nums
        total += n
    return total
}
x := 1, y := 2
Swap(&x, &y)
values := [1, 2, 3]
MsgBox Sum(values*) Sum(1, 2)
