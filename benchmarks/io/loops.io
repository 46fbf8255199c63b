// while loop with arithmetic
i := 0; s := 0
while(i < 3000000, s = s + i % 7; i = i + 1)
if(s != 8999994, Exception raise("loops: wrong result " .. s))
"loops ok" println
