WithLog(trail, fn) {
    trail.Push("start,")
    try
        fn()
    finally
        trail.Push("end,")
}
