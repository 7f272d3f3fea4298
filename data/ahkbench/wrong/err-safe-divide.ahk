SafeDivide(a, b) => a / b
