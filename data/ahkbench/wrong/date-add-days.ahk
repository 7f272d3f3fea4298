AddDays(stamp, n) => stamp + n
