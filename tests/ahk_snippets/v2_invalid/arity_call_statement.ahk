Sleep 100, 200
