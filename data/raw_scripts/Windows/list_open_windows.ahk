#Requires AutoHotkey v2.0
; List all visible top-level windows with their title, process name and
; position in a ListView. Double-clicking a row activates that window.
DetectHiddenWindows(false)

lister := Gui("+Resize", "Open windows")
lv := lister.AddListView("w720 r18", ["Title", "Process", "X", "Y", "W", "H", "ID"])
lv.OnEvent("DoubleClick", (ctrl, row) => row && WinActivate("ahk_id " ctrl.GetText(row, 7)))

for hwnd in WinGetList()
{
    title := WinGetTitle(hwnd)
    if title = ""
        continue
    try
        exe := WinGetProcessName(hwnd)
    catch
        exe := "?"
    WinGetPos(&x, &y, &w, &h, hwnd)
    lv.Add(, title, exe, x, y, w, h, hwnd)
}
Loop 7
    lv.ModifyCol(A_Index, "AutoHdr")
lister.Show()
