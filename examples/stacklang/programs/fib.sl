# Recursive Fibonacci.
func main
    push 22
    call fib
    dup
    print
    ret
end

func fib n
    load n
    push 2
    lt
    jz recurse
    load n
    ret
recurse:
    load n
    push 1
    sub
    call fib
    load n
    push 2
    sub
    call fib
    add
    ret
end
