data := {"name": "x"}
