#Requires AutoHotkey v2.0
; Monthly payment of a fixed-rate loan with the annuity formula
; P = L * r / (1 - (1 + r) ** -n), plus the total interest and the first
; months of the amortisation schedule.

MonthlyPayment(principal, yearlyRate, years)
{
    r := yearlyRate / 12 / 100
    n := years * 12
    return r = 0 ? principal / n : principal * r / (1 - (1 + r) ** -n)
}

loan := 200000, rate := 3.5, years := 25
pay := MonthlyPayment(loan, rate, years)
schedule := Format("{:5} {:10} {:10} {:12}`n", "Month", "Interest", "Principal", "Balance")
balance := loan
Loop 12
{
    interest := balance * rate / 12 / 100
    balance -= pay - interest
    schedule .= Format("{:5} {:10.2f} {:10.2f} {:12.2f}`n", A_Index, interest, pay - interest, balance)
}
MsgBox(Format("Loan {:.2f} at {}% over {} years`nMonthly payment: {:.2f}`nTotal interest: {:.2f}`n`n{}"
    , loan, rate, years, pay, pay * years * 12 - loan, schedule), "Loan calculator")
