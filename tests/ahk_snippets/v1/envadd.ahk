total := 1
EnvAdd, total, 5
