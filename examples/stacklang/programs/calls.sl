# A hot loop that calls small functions: sum of clamp(i * i mod 1000, 100, 900) + 1 for
# i < 100000 (each iteration makes three calls, of functions of 4 to 10 instructions).
func main
    push 0
    store total
    push 0
    store i
loop:
    load i
    push 100000
    lt
    jz done
    load total
    load i
    call square
    push 1000
    mod
    push 100
    push 900
    call clamp
    add
    store total
    load i
    call inc
    store i
    jump loop
done:
    load total
    print
    load total
    ret
end

func square x
    load x
    load x
    mul
    ret
end

func inc x
    load x
    push 1
    add
    ret
end

# clamp(v, lo, hi): lo if v < lo, hi if v > hi, else v
func clamp v lo hi
    load v
    load lo
    lt
    jz notlow
    load lo
    ret
notlow:
    load v
    load hi
    gt
    jz inside
    load hi
    ret
inside:
    load v
    ret
end
