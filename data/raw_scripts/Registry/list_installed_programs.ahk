#Requires AutoHotkey v2.0
; List installed programs by walking the Uninstall keys of the registry
; with Loop Reg (both 64-bit and 32-bit views) and show name, version and
; publisher in a sortable ListView.

roots := [
    "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    "HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
    "HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall"
]
seen := Map()

win := Gui("+Resize", "Installed programs")
lv := win.AddListView("w700 r25 Sort", ["Name", "Version", "Publisher"])

for root in roots
{
    Loop Reg root, "K"
    {
        sub := root "\" A_LoopRegName
        name := RegRead(sub, "DisplayName", "")
        if name = "" || seen.Has(name) || RegRead(sub, "SystemComponent", 0) = 1
            continue
        seen[name] := true
        lv.Add(, name, RegRead(sub, "DisplayVersion", ""), RegRead(sub, "Publisher", ""))
    }
}
lv.ModifyCol(1, 340), lv.ModifyCol(2, 120), lv.ModifyCol(3, "AutoHdr")
win.Title .= " (" seen.Count ")"
win.Show()
