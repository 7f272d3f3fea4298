#Requires AutoHotkey v2.0
; Working with plain objects and dynamic property names: build an object
; from a Map, read properties with obj.%name%, list them with OwnProps(),
; and use __Get to return a default for missing properties.

class Settings
{
    __New(pairs)
    {
        for key, value in pairs
            this.%key% := value
    }
    ; called only when a property does not exist
    __Get(name, params) => "(not set: " name ")"
}

cfg := Settings(Map("theme", "dark", "fontSize", 12, "autosave", true))
cfg.language := "en"

listing := ""
for name, val in cfg.OwnProps()
    listing .= name " = " val "`n"

field := "fontSize"
listing .= "`nDynamic read of " field ": " cfg.%field%
listing .= "`nMissing property: " cfg.colour
listing .= "`nHasOwnProp('theme'): " cfg.HasOwnProp("theme")
MsgBox(listing, "Settings object")
