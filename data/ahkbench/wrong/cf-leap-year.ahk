IsLeap(year) => Mod(year, 4) = 0
