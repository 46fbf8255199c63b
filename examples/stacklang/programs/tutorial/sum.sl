# The tutorial's program: total = 0 + 1 + ... + 9999.
func main
    push 0
    store total
    push 0
    store i
loop:
    load i
    push 10000
    lt
    jz done
    load total
    load i
    add
    store total
    load i
    push 1
    add
    store i
    jump loop
done:
    load total
    ret
end
