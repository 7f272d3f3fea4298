#Requires AutoHotkey v2.0
; Retry an action that may fail, waiting longer after each failure
; (exponential backoff: 200 ms, 400 ms, 800 ms...). try/catch/finally
; records every attempt; after the last attempt the error is re-thrown.

Retry(action, attempts := 4, delay := 200)
{
    Loop attempts
    {
        try
            return action()
        catch as err
        {
            if A_Index = attempts
                throw err
            Sleep(delay * 2 ** (A_Index - 1))
        }
        finally
            attemptLog.Push("attempt " A_Index " at " A_TickCount)
    }
}

attemptLog := []
calls := 0
Flaky()
{
    global calls
    calls += 1
    if calls < 3
        throw Error("server busy (call " calls ")")
    return "ok after " calls " calls"
}

try
    result := Retry(Flaky)
catch as e
    result := "gave up: " e.Message
MsgBox(result "`n" attemptLog.Length " attempts logged", "Retry")
