CountOf(haystack, needle) {
    StrReplace(haystack, needle, , true, &count)
    return count
}
