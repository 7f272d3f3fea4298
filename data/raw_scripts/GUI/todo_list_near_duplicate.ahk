#Requires AutoHotkey v2.0
; A to-do list window: type a task and press Enter (or Add) to append it to
; the ListBox; select one and press Delete (or Remove) to drop it. The list
; is saved to tasks.txt when the window closes and reloaded on start.

todoFile := A_ScriptDir "\tasks.txt"
tasks := []
if FileExist(todoFile)
{
    Loop Parse FileRead(todoFile, "UTF-8"), "`n", "`r"
        if A_LoopField != ""
            tasks.Push(A_LoopField)
}

app := Gui(, "To-do")
entry := app.AddEdit("w250")
app.AddButton("x+5 yp-1 Default", "Add").OnEvent("Click", AddTask)
box := app.AddListBox("xm w300 r15", tasks)
app.AddButton("xm", "Remove").OnEvent("Click", RemoveTask)
app.OnEvent("Close", SaveTasks)
app.Show()

AddTask(*)
{
    text := Trim(entry.Value)
    if text = ""
        return
    tasks.Push(text)
    box.Add([text])
    entry.Value := ""
    entry.Focus()
}

RemoveTask(*)
{
    if !(index := box.Value)
        return
    tasks.RemoveAt(index)
    box.Delete(index)
}

SaveTasks(*)
{
    text := ""
    for task in tasks
        text .= task "`n"
    if FileExist(todoFile)
        FileDelete(todoFile)
    FileAppend(text, todoFile, "UTF-8")
    ExitApp()
}

#HotIf WinActive("ahk_id " app.Hwnd)
Delete::RemoveTask()
#HotIf
