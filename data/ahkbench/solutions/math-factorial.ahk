Factorial(n) => n <= 1 ? 1 : n * Factorial(n - 1)
