FizzBuzz(n) {
    if Mod(n, 3) = 0
        return "Fizz"
    if Mod(n, 5) = 0
        return "Buzz"
    return n
}
