// recursion: fib(n) by the naive recursive definition; n is the first argument (default 20)
n := if(System args size > 1, System args at(1) asNumber, 20)
fib := method(n, if(n < 2, n, fib(n - 1) + fib(n - 2)))
r := fib(n)
// the expected value, by iteration
a := 0; b := 1
for(k, 1, n, c := a + b; a = b; b = c)
if(r != a, Exception raise("fib: wrong result " .. r))
"fib ok" println
