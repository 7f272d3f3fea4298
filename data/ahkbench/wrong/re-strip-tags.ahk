StripTags(html) => RegExReplace(html, "<.*>")
