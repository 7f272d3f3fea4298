Main() {
    goto Finish
}
