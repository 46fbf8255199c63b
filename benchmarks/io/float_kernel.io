// float arithmetic: numerical integration of 4 / (1 + x^2) on [0, 1] (= pi) by the midpoint
// rule; the number of steps is the first argument (default 2000000)
n := if(System args size > 1, System args at(1) asNumber, 2000000)
h := 1 / n
acc := 0
for(k, 0, n - 1,
    x := (k + 0.5) * h
    acc = acc + 4 / (1 + x * x)
)
pi := acc * h
// the midpoint rule's error is below 1 / (3 n^2) here
tol := if(1 / (n * n) > 1e-9, 1 / (n * n), 1e-9)
if((pi - 3.141592653589793) abs > tol, Exception raise("float_kernel: wrong result " .. pi))
"float_kernel ok" println
