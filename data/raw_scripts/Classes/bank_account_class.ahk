#Requires AutoHotkey v2.0
; A BankAccount class with a read-only Balance property, Deposit and
; Withdraw methods that validate their input, a transaction history and a
; static counter of accounts opened. A SavingsAccount adds interest.

class BankAccount
{
    static opened := 0

    __New(owner, initial := 0)
    {
        this.owner := owner
        this._balance := 0
        this.history := []
        BankAccount.opened += 1
        if initial
            this.Deposit(initial)
    }

    Balance => this._balance

    Deposit(amount)
    {
        if amount <= 0
            throw ValueError("Deposit must be positive", -1, amount)
        this._balance += amount
        this.history.Push("+" amount)
    }

    Withdraw(amount)
    {
        if amount > this._balance
            throw Error("Insufficient funds", -1, Format("{} > {}", amount, this._balance))
        this._balance -= amount
        this.history.Push("-" amount)
    }
}

class SavingsAccount extends BankAccount
{
    __New(owner, rate, initial := 0)
    {
        this.rate := rate
        super.__New(owner, initial)
    }
    AddInterest() => this.Deposit(Round(this.Balance * this.rate, 2))
}

acct := SavingsAccount("Robin", 0.02, 1000)
acct.Withdraw(250)
acct.AddInterest()
try acct.Withdraw(5000)
catch Error as err
    MsgBox(err.Message ": " err.Extra, "Refused")
history := ""
for entry in acct.history
    history .= entry " "
MsgBox(Format("{}: balance {:.2f}`nHistory: {}`nAccounts opened: {}"
    , acct.owner, acct.Balance, history, BankAccount.opened))
