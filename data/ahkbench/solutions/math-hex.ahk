Hex(n) => Format("{:X}", n)
