Sign(x) => x > 0 ? 1 : -1
