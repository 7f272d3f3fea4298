Factorial(n) => n <= 1 ? 0 : n * Factorial(n - 1)
