#Requires AutoHotkey v2.0
; Read the Windows product name, display version and build number from the
; registry with RegRead, using a default value when a key is missing, and
; show them together with A_OSVersion and A_Is64bitOS.

key := "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
product := RegRead(key, "ProductName", "unknown")
display := RegRead(key, "DisplayVersion", RegRead(key, "ReleaseId", "n/a"))
build := RegRead(key, "CurrentBuild", "?")
ubr := RegRead(key, "UBR", 0)
edition := RegRead(key, "EditionID", "unknown edition")
owner := RegRead(key, "RegisteredOwner", "(no owner set)")

MsgBox(Format("{} ({})`nVersion {} (build {}.{})`nRegistered to: {}`nA_OSVersion: {}`n64-bit: {}"
    , product, edition, display, build, ubr, owner, A_OSVersion, A_Is64bitOS ? "yes" : "no")
    , "Windows version")
