SwapName(s) => RegExReplace(s, "^\s*(\w+),\s*(\w+)\s*$", "$1 $2")
