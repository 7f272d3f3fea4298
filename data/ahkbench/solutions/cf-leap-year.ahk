IsLeap(year) => (Mod(year, 4) = 0 && Mod(year, 100) != 0) || Mod(year, 400) = 0
