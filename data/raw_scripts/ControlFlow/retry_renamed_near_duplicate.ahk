#Requires AutoHotkey v2.0
; Retry a function that may fail, waiting longer after each failure
; (exponential backoff: 200 ms, 400 ms, 800 ms...). try/catch/finally
; records every attempt; after the last attempt the error is re-thrown.
; Deliberate near-duplicate of retry_with_backoff.ahk with renamed variables.

Retry(fn, attempts := 4, waitMs := 200)
{
    Loop attempts
    {
        try
            return fn()
        catch as err
        {
            if A_Index = attempts
                throw err
            Sleep(waitMs * 2 ** (A_Index - 1))
        }
        finally
            tries.Push("attempt " A_Index " at " A_TickCount)
    }
}

tries := []
hits := 0
Unreliable()
{
    global hits
    hits += 1
    if hits < 3
        throw Error("service unavailable (try " hits ")")
    return "ok after " hits " hits"
}

try
    result := Retry(Unreliable)
catch as e
    result := "gave up: " e.Message
MsgBox(result "`n" tries.Length " attempts logged", "Retry")
