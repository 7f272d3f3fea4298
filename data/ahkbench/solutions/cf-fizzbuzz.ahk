FizzBuzz(n) {
    if Mod(n, 15) = 0
        return "FizzBuzz"
    if Mod(n, 3) = 0
        return "Fizz"
    if Mod(n, 5) = 0
        return "Buzz"
    return n
}
