#Requires AutoHotkey v2.0
; Lower the priority of heavy background programs so the foreground stays
; responsive. For each name in the list that is running, the priority is
; set with ProcessSetPriority and the result is listed.

background := ["OneDrive.exe", "SearchIndexer.exe", "backup_agent.exe", "7zG.exe"]
report := ""
for exe in background
{
    pid := ProcessExist(exe)
    if !pid
    {
        report .= Format("{:-22} not running`n", exe)
        continue
    }
    try
    {
        ProcessSetPriority("BelowNormal", pid)
        report .= Format("{:-22} PID {:6} -> below normal`n", exe, pid)
    }
    catch
        report .= Format("{:-22} PID {:6} access denied`n", exe, pid)
}
MsgBox(report, "Process priorities")
