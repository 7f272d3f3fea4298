#Requires AutoHotkey v2.0
; A tiny number-guessing game with a GUI and a state machine.

class Game {
    static States := Map("idle", 0, "playing", 1, "won", 2)

    __New(low := 1, high := 100) {
        this.low := low, this.high := high
        this.state := Game.States["idle"]
        this.tries := 0
    }

    Start() {
        this.secret := Random(this.low, this.high)
        this.tries := 0
        this.state := Game.States["playing"]
    }

    Guess(n) {
        if this.state != Game.States["playing"]
            throw ValueError("game not running", -1, this.state)
        this.tries++
        switch {
            case n < this.secret: return "higher"
            case n > this.secret: return "lower"
        }
        this.state := Game.States["won"]
        return "correct in " this.tries (this.tries = 1 ? " try" : " tries")
    }
}

g := Game()
g.Start()
ui := Gui(, "Guess")
ui.AddText(, "Guess a number between " g.low " and " g.high ":")
input := ui.AddEdit("w120 Number")
feedback := ui.AddText("w200", "")
ui.AddButton("Default", "Guess").OnEvent("Click", OnGuess)
ui.Show()

OnGuess(btn, info) {
    value := input.Value
    if !IsInteger(value) {
        feedback.Text := "numbers only"
        return
    }
    try result := g.Guess(Integer(value))
    catch ValueError as e
        result := "start again (" e.Message ")"
    feedback.Text := result
    if InStr(result, "correct") {
        if MsgBox("Play again?", "Guess", "YesNo") = "Yes"
            g.Start()
        else
            ExitApp
    }
}

Esc::ExitApp
