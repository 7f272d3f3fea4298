#Requires AutoHotkey v2.0
; List the files of a chosen folder in a ListView with name, size and
; modification date columns. Double-click a row to open the file with its
; default program. The folder is picked with DirSelect at start-up.

folder := DirSelect(A_MyDocuments, 0, "Pick a folder to list")
if folder = ""
    ExitApp()

win := Gui("+Resize", "Files in " folder)
lv := win.AddListView("w600 r20", ["Name", "Size (KB)", "Modified"])
lv.OnEvent("DoubleClick", OpenRow)
win.OnEvent("Size", (g, minMax, w, h) => lv.Move(, , w - 20, h - 20))

Loop Files folder "\*.*"
{
    modified := FormatTime(A_LoopFileTimeModified, "yyyy-MM-dd HH:mm")
    lv.Add(, A_LoopFileName, Round(A_LoopFileSize / 1024, 1), modified)
}
lv.ModifyCol(1, "AutoHdr")
lv.ModifyCol(2, "Integer AutoHdr")
lv.ModifyCol(3, "AutoHdr")
win.Show()

OpenRow(ctrl, row)
{
    if row = 0
        return
    Run(folder "\" ctrl.GetText(row, 1))
}
