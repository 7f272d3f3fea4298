WithLog(trail, fn) {
    trail.Push("start,")
    fn()
    trail.Push("end,")
}
