class Range {
    __New(start, stop) {
        this.start := start, this.stop := stop
    }
    __Enum(n) {
        i := this.start, stop := this.stop
        next(&v) {
            if i > stop
                return false
            v := i++
            return true
        }
        return next
    }
}
