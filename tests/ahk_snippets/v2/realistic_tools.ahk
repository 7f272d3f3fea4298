; Utility functions of the kind people keep in a personal library.
#Requires AutoHotkey v2.0

JoinArray(arr, sep := ", ") {
    out := ""
    for i, v in arr
        out .= (i > 1 ? sep : "") v
    return out
}

MapToString(m, indent := "") {
    lines := []
    for key, value in m {
        if value is Map
            lines.Push(indent key ":`n" MapToString(value, indent "  "))
        else
            lines.Push(indent key " = " (IsObject(value) ? Type(value) : value))
    }
    return JoinArray(lines, "`n")
}

ParseIni(path) {
    result := Map(), section := ""
    Loop Read, path {
        line := Trim(A_LoopReadLine)
        if (line = "" || SubStr(line, 1, 1) = ";")
            continue
        if RegExMatch(line, "^\[(.+)\]$", &m) {
            section := m[1]
            result[section] := Map()
        } else if (pos := InStr(line, "=")) && section != "" {
            result[section][Trim(SubStr(line, 1, pos - 1))] := Trim(SubStr(line, pos + 1))
        }
    }
    return result
}

GetWindowInfo(title := "A") {
    WinGetPos &x, &y, &w, &h, title
    return {title: WinGetTitle(title), x: x, y: y, w: w, h: h
        , pid: WinGetPID(title), exe: WinGetProcessName(title)}
}

MouseInfo() {
    MouseGetPos &mx, &my, &win, &ctrl
    color := PixelGetColor(mx, my)
    return Format("{1},{2} {3} {4} {5}", mx, my, win, ctrl ?? "", color)
}

RunHidden(cmd) {
    shell := ComObject("WScript.Shell")
    exec := shell.Exec(A_ComSpec " /C " cmd)
    return exec.StdOut.ReadAll()
}

Retry(fn, times := 3, delay := 100) {
    loop times {
        try
            return fn()
        catch as e {
            if A_Index = times
                throw e
            Sleep delay * A_Index
        }
    }
}

MessageBoxW(text, title := "Info") {
    return DllCall("user32\MessageBoxW", "Ptr", 0, "Str", text, "Str", title, "UInt", 0x40, "Int")
}

SortNumbers(list) {
    return Sort(list, "N D,")
}

Clamp(value, lo, hi) => Max(lo, Min(hi, value))

Timer := {count: 0, Tick: (this) => ++this.count}

sql := "
(
    SELECT name, value
    FROM settings
    WHERE value LIKE '%abc%'
)"

EventLog(msg, level := "info") {
    static file := A_Temp "\events.log"
    FileAppend(FormatTime(, "yyyy-MM-dd HH:mm:ss") " [" StrUpper(level) "] " msg "`n", file, "UTF-8")
}

Hotkey "^!r", (*) => Reload()
SetTimer () => EventLog("heartbeat"), 60000
