# Nested loops: sum of i*j for i, j < 300, plus a counting loop.
func main
    push 0
    store total
    push 0
    store i
outer:
    load i
    push 300
    lt
    jz done
    push 0
    store j
inner:
    load j
    push 300
    lt
    jz next
    load total
    load i
    load j
    mul
    add
    store total
    load j
    push 1
    add
    store j
    jump inner
next:
    load i
    push 1
    add
    store i
    jump outer
done:
    load total
    print
    load total
    ret
end
