RoundTo(x, places) => Format("{:." places "f}", x)
