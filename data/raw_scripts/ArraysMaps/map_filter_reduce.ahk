#Requires AutoHotkey v2.0
; Functional helpers for arrays written with fat-arrow functions:
; MapArray applies a function to each item, Filter keeps the items that
; pass a test, and Reduce folds the array into a single value.

MapArray(arr, fn)
{
    out := []
    for v in arr
        out.Push(fn(v))
    return out
}

Filter(arr, test)
{
    out := []
    for v in arr
        if test(v)
            out.Push(v)
    return out
}

Reduce(arr, fn, acc)
{
    for v in arr
        acc := fn(acc, v)
    return acc
}

ToText(arr) => Reduce(arr, (acc, v) => acc (acc = "" ? "" : " ") v, "")

numbers := [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
squares := MapArray(numbers, (n) => n * n)
evens := Filter(numbers, (n) => Mod(n, 2) = 0)
total := Reduce(numbers, (a, b) => a + b, 0)

MsgBox("Squares: " ToText(squares)
    . "`nEvens: " ToText(evens)
    . "`nSum: " total
    . "`nProduct of evens: " Reduce(evens, (a, b) => a * b, 1))
