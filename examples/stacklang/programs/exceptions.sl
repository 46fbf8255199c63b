# Exceptions thrown and caught inside a loop: every 7th division is by zero.
func main
    push 0
    store total
    push 0
    store caught
    push 0
    store i
loop:
    load i
    push 20000
    lt
    jz done
    try handler
    load i
    load i
    push 7
    mod
    div
    load total
    add
    store total
    endtry
    jump next
handler:
    pop
    load caught
    push 1
    add
    store caught
next:
    load i
    push 1
    add
    store i
    jump loop
done:
    load total
    print
    load caught
    print
    load total
    ret
end
