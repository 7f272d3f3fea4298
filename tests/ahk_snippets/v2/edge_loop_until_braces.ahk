i := 0
loop {
    i++
} until i >= 3
