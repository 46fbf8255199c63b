// recursion
fib := method(n, if(n < 2, n, fib(n - 1) + fib(n - 2)))
r := fib(20)
if(r != 6765, Exception raise("fib: wrong result " .. r))
"fib ok" println
