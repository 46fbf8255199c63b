// slot-heavy objects: points moved around, method calls on instances
Point := Object clone do(
    x := 0; y := 0
    init := method(x = 0; y = 0)
    moveBy := method(dx, dy, x = x + dx; y = y + dy; self)
    dist2 := method(x * x + y * y)
)
p := Point clone
q := Point clone
for(i, 1, 50000, p moveBy(1, 2); q moveBy(-1, 1))
t := p dist2 + q dist2
if(t != 17500000000, Exception raise("slots: wrong result " .. t))
"slots ok" println
