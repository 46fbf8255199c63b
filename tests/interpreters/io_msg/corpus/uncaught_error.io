Account := Object clone
Account balance := 0
Account withdraw := method(amount,
    if(amount > balance, Exception raise("insufficient funds"))
    balance = balance - amount
)
helper := method(a, a withdraw(10))
"before" println
helper(Account clone)
"never printed" println
