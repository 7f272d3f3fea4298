RoundTo(x, places) => Round(x)
