Clamp(x, lo, hi) => Max(lo, Min(hi, x))
