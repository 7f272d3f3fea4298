#Requires AutoHotkey v2.0
; A small Logger class with log levels. Static properties hold the level
; names; instances write timestamped lines to a file and ignore messages
; below their minimum level. __Delete writes a closing line.

class Logger
{
    static Levels := Map("DEBUG", 10, "INFO", 20, "WARN", 30, "ERROR", 40)

    __New(path, minLevel := "INFO")
    {
        this.path := path
        this.min := Logger.Levels[minLevel]
        this.Write("INFO", "logger started")
    }

    Write(level, message)
    {
        if Logger.Levels[level] < this.min
            return
        line := FormatTime(, "yyyy-MM-dd HH:mm:ss") " [" level "] " message "`n"
        FileAppend(line, this.path, "UTF-8")
    }

    Debug(msg) => this.Write("DEBUG", msg)
    Info(msg) => this.Write("INFO", msg)
    Warn(msg) => this.Write("WARN", msg)
    Error(msg) => this.Write("ERROR", msg)

    __Delete() => this.Write("INFO", "logger closed")
}

logPath := A_Temp "\logger_demo.log"
app := Logger(logPath, "INFO")
app.Debug("this line is filtered out")
app.Info("user " A_UserName " signed in")
app.Warn("disk space below 10%")
app.Error("could not reach the update server")
app := ""
MsgBox(FileRead(logPath), "Log contents")
