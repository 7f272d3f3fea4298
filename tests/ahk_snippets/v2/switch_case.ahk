Classify(n) {
    switch {
        case n < 0: return "negative"
        case n = 0: return "zero"
        default: return "positive"
    }
}
switch Classify(5), false {
    case "positive", "zero":
        MsgBox "non-negative"
    default:
        MsgBox "negative"
}
