Hex(n) => Format("{:x}", n)
