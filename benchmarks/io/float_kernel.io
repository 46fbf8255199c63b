// float arithmetic: numerical integration of 4 / (1 + x^2) on [0, 1] (= pi)
n := 2000000
h := 1 / n
acc := 0
for(k, 0, n - 1,
    x := (k + 0.5) * h
    acc = acc + 4 / (1 + x * x)
)
pi := acc * h
if((pi - 3.141592653589793) abs > 1e-9, Exception raise("float_kernel: wrong result " .. pi))
"float_kernel ok" println
