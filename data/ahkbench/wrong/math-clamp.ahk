Clamp(x, lo, hi) => Min(lo, Max(hi, x))
