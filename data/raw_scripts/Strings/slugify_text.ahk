#Requires AutoHotkey v2.0
; Turn an arbitrary title into a URL "slug": lower case, accents removed,
; anything that is not a letter or digit becomes a hyphen, and runs of
; hyphens are collapsed. Example: "Hello, World! 2024" -> "hello-world-2024".

Slugify(title)
{
    static accents := Map("à", "a", "á", "a", "ä", "a", "â", "a", "é", "e", "è", "e"
        , "ë", "e", "ê", "e", "í", "i", "ï", "i", "ó", "o", "ö", "o", "ô", "o"
        , "ú", "u", "ü", "u", "ñ", "n", "ç", "c", "ß", "ss")
    slug := StrLower(title)
    for from, to in accents
        slug := StrReplace(slug, from, to)
    slug := RegExReplace(slug, "[^a-z0-9]+", "-")
    return Trim(slug, "-")
}

samples := ["Hello, World! 2024", "  Crème brûlée recipe  ", "C++ vs. C# -- which one?"]
report := ""
for title in samples
    report .= title " -> " Slugify(title) "`n"
MsgBox(report, "Slugify")
