// a long integer-valued while loop (10 million iterations): long enough for tier 2 to pay
i := 0; s := 0
while(i < 10000000, s = s + i % 7; i = i + 1)
if(s != 29999994, Exception raise("while: wrong result " .. s))
"while ok" println
