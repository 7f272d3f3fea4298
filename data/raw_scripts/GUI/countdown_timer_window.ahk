#Requires AutoHotkey v2.0
; A countdown timer window: enter a number of minutes, press Start, and a
; large label counts down once a second via SetTimer. When it reaches zero
; the window flashes and a sound plays. Pause stops and resumes the count.

class CountdownWindow
{
    __New()
    {
        this.remaining := 0
        this.paused := false
        this.tick := ObjBindMethod(this, "Tick")
        this.gui := Gui(, "Countdown")
        this.gui.SetFont("s11")
        this.gui.AddText(, "Minutes:")
        this.minutes := this.gui.AddEdit("w60 Number", "5")
        this.gui.AddButton("x+10 yp-2", "Start").OnEvent("Click", (*) => this.Start())
        this.gui.AddButton("x+5", "Pause").OnEvent("Click", (*) => this.Pause())
        this.gui.SetFont("s36 bold")
        this.label := this.gui.AddText("xm w260 Center", "00:00")
        this.gui.OnEvent("Close", (*) => ExitApp())
        this.gui.Show()
    }

    Start()
    {
        this.remaining := Integer(this.minutes.Value || 0) * 60
        this.paused := false
        this.Render()
        SetTimer(this.tick, 1000)
    }

    Pause()
    {
        this.paused := !this.paused
        SetTimer(this.tick, this.paused ? 0 : 1000)
    }

    Tick()
    {
        this.remaining -= 1
        this.Render()
        if this.remaining <= 0
        {
            SetTimer(this.tick, 0)
            SoundBeep(880, 400)
            Loop 4
            {
                this.gui.Flash()
                Sleep(300)
            }
        }
    }

    Render() => this.label.Value := Format("{:02}:{:02}", this.remaining // 60, Mod(this.remaining, 60))
}

CountdownWindow()
