class Account {
    Balance := 0
    Deposit(amount) => this.Balance += amount
    Withdraw(amount) {
        if amount > this.Balance
            throw ValueError("insufficient funds")
        this.Balance -= amount
    }
}
