# Sieve of Eratosthenes over an array; counts primes below 20000.
func main
    push 20000
    store n
    load n
    newarray
    store flags
    push 0
    store count
    push 2
    store i
loop:
    load i
    load n
    lt
    jz done
    load flags
    load i
    aget
    jnz skip
    load count
    push 1
    add
    store count
    load i
    load i
    mul
    store j
mark:
    load j
    load n
    lt
    jz skip
    load flags
    load j
    push 1
    aset
    load j
    load i
    add
    store j
    jump mark
skip:
    load i
    push 1
    add
    store i
    jump loop
done:
    load count
    print
    load count
    ret
end
