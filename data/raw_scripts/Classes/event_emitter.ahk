#Requires AutoHotkey v2.0
; An EventEmitter class: listeners subscribe to named events with On(),
; can be removed with Off(), and Emit() calls each listener with the event
; arguments. Once() registers a listener that fires a single time.

class EventEmitter
{
    __New() => this.listeners := Map()

    On(name, fn)
    {
        if !this.listeners.Has(name)
            this.listeners[name] := []
        this.listeners[name].Push(fn)
        return fn
    }

    Off(name, fn)
    {
        if !this.listeners.Has(name)
            return
        list := this.listeners[name]
        Loop list.Length
            if list[A_Index] = fn
                return list.RemoveAt(A_Index)
    }

    Once(name, fn)
    {
        wrapper(args*)
        {
            this.Off(name, wrapper)
            fn(args*)
        }
        return this.On(name, wrapper)
    }

    Emit(name, args*)
    {
        if !this.listeners.Has(name)
            return 0
        for fn in this.listeners[name].Clone()
            fn(args*)
        return this.listeners[name].Length
    }
}

messages := []
bus := EventEmitter()
bus.On("saved", (file) => messages.Push("Saved " file))
bus.Once("saved", (file) => messages.Push("First save ever: " file))
bus.Emit("saved", "report.docx")
bus.Emit("saved", "notes.txt")
text := ""
for m in messages
    text .= m "`n"
MsgBox(text, "Events")
