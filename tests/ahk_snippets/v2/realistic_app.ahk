#Requires AutoHotkey v2.0
#SingleInstance Force
#Warn VarUnset, Off
Persistent

/*
  A small clipboard-history tool, written to exercise many v2 features at once.
*/

class History {
    static MaxItems := 25
    items := []

    __New(max?) {
        if IsSet(max)
            History.MaxItems := max
    }

    __Item[index] {
        get => this.items[index]
        set => this.items[index] := value
    }

    Count => this.items.Length

    __Enum(n) => this.items.__Enum(n)

    Add(text) {
        if (text = "" || (this.Count && this.items[1] == text))
            return false
        this.items.InsertAt(1, text)
        while this.items.Length > History.MaxItems
            this.items.Pop()
        return true
    }

    Find(needle, caseSense := false) {
        for index, item in this.items {
            if InStr(item, needle, caseSense)
                return index
        }
        return 0
    }
}

class Picker extends Gui {
    __New(history) {
        super.__New("+Resize +AlwaysOnTop", "Clipboard history")
        this.history := history
        this.SetFont("s10", "Segoe UI")
        this.list := this.AddListBox("w400 r15 vChoice")
        this.AddButton("Default w80", "&Paste").OnEvent("Click", this.Paste.Bind(this))
        this.OnEvent("Escape", (g) => g.Hide())
        this.OnEvent("Size", Picker.OnSize)
    }

    static OnSize(g, minMax, width, height) {
        if minMax = -1
            return
        g.list.Move(,, width - 20, height - 60)
    }

    Refresh() {
        this.list.Delete()
        for item in this.history
            this.list.Add([SubStr(StrReplace(item, "`n", " "), 1, 80)])
    }

    Paste(*) {
        if !(index := this.list.Value)
            return
        A_Clipboard := this.history[index]
        this.Hide()
        Send "^v"
    }
}

global hist := History(30)
thePicker := Picker(hist)
OnClipboardChange(ClipChanged)

ClipChanged(dataType) {
    if dataType != 1
        return
    try hist.Add(A_Clipboard)
    catch Error as err
        OutputDebug "clipboard: " err.Message
}

#HotIf WinActive("ahk_class Notepad") || WinActive("ahk_exe code.exe")
^+v:: {
    thePicker.Refresh()
    thePicker.Show()
}
#HotIf

:*?B0:@@::
{
    SendText "me@example.com"
}

::sig::
(
Best regards,
The Team
)

F12::ExitApp
