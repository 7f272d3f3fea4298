#Requires AutoHotkey v2.0
; List running processes with their memory use through WMI
; (Win32_Process via ComObjGet), sorted by working set, top 25 shown
; in a ListView with PID, name and memory in MB.

wmi := ComObjGet("winmgmts:")
rows := []
for proc in wmi.ExecQuery("SELECT ProcessId, Name, WorkingSetSize FROM Win32_Process")
    rows.Push({pid: proc.ProcessId, name: proc.Name, mem: proc.WorkingSetSize / 1048576})

; selection sort by memory, biggest first, only as far as we need
limit := Min(25, rows.Length)
Loop limit
{
    i := A_Index, best := i
    Loop rows.Length - i
        if rows[i + A_Index].mem > rows[best].mem
            best := i + A_Index
    tmp := rows[i], rows[i] := rows[best], rows[best] := tmp
}

g := Gui(, "Top " limit " processes by memory")
lv := g.AddListView("w420 r" limit, ["PID", "Name", "MB"])
Loop limit
    lv.Add(, rows[A_Index].pid, rows[A_Index].name, Round(rows[A_Index].mem, 1))
lv.ModifyCol(1, "Integer 60"), lv.ModifyCol(2, 240), lv.ModifyCol(3, "Float 80")
g.Show()
