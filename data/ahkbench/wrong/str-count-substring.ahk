CountOf(haystack, needle) {
    StrReplace(haystack, needle, , false, &count)
    return count
}
