#Requires AutoHotkey v2.0
; Pick today's plan with a switch statement on the weekday name, with
; several values per case ("Saturday", "Sunday") and a default. A second
; switch on a time-of-day bucket adds a greeting. Written in the one-true-
; brace style.

Greeting(hour) {
    switch {
        case hour < 5: return "Still up?"
        case hour < 12: return "Good morning"
        case hour < 18: return "Good afternoon"
        default: return "Good evening"
    }
}

PlanFor(dayName) {
    switch dayName, false {   ; case-insensitive comparison
        case "Monday":
            return "Weekly planning at 9:00"
        case "Tuesday", "Thursday":
            return "Gym after work"
        case "Wednesday":
            return "Team lunch"
        case "Friday":
            return "Review the week, then relax"
        case "Saturday", "Sunday":
            return "Weekend: no alarms"
        default:
            throw ValueError("Unknown day: " dayName)
    }
}

today := FormatTime(, "dddd")
try {
    plan := PlanFor(today)
} catch ValueError as e {
    plan := e.Message   ; non-English system locale
}
MsgBox(Greeting(A_Hour) ", " A_UserName "!`n`n" today ": " plan, "Day planner")
