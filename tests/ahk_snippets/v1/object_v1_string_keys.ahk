obj := {"key": "value", "n": 2}
MsgBox % obj["key"]
