SwapName(s) => RegExReplace(s, "^\s*(\w+),\s*(\w+)\s*$", "$2 $1")
