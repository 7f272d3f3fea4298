class Account {
    Balance := 0
    Deposit(amount) => this.Balance += amount
    Withdraw(amount) => this.Balance -= amount
}
