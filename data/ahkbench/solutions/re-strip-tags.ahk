StripTags(html) => RegExReplace(html, "<[^>]*>")
