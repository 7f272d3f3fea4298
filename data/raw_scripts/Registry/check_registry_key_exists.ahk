#Requires AutoHotkey v2.0
; Helper functions that tell whether a registry key or value exists, since
; RegRead throws an OSError when the value is missing. Several well-known
; keys are tested and the answers are listed.

RegKeyExists(key)
{
    Loop Reg key, "KV"
        return true
    try
    {
        RegRead(key)   ; the key's default value
        return true
    }
    return false
}

RegValueExists(key, name)
{
    try
    {
        RegRead(key, name)
        return true
    }
    catch OSError
        return false
}

checks := [
    ["HKCU\Software\Microsoft", ""],
    ["HKCU\Software\NoSuchVendor\NoSuchApp", ""],
    ["HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion", "ProductName"],
    ["HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion", "NoSuchValue"]
]
out := ""
for c in checks
{
    ok := c[2] = "" ? RegKeyExists(c[1]) : RegValueExists(c[1], c[2])
    out .= (ok ? "yes  " : "no   ") c[1] (c[2] = "" ? "" : " -> " c[2]) "`n"
}
MsgBox(out, "Registry checks")
