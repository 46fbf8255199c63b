// slot-heavy objects: points moved around, method calls on instances; the number of moves is
// the first argument (default 50000)
n := if(System args size > 1, System args at(1) asNumber, 50000)
Point := Object clone do(
    x := 0; y := 0
    init := method(x = 0; y = 0)
    moveBy := method(dx, dy, x = x + dx; y = y + dy; self)
    dist2 := method(x * x + y * y)
)
p := Point clone
q := Point clone
for(i, 1, n, p moveBy(1, 2); q moveBy(-1, 1))
t := p dist2 + q dist2
// p ends at (n, 2n), q at (-n, n)
if(t != 7 * n * n, Exception raise("slots: wrong result " .. t))
"slots ok" println
