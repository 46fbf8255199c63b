if(true, "yes" println, "no" println)
if(false, "yes" println, "no" println)
if(nil) println
if(1 > 0) then("then" println) else("else" println)
if(1 < 0) then("then" println) elseif(2 > 1) then("elseif" println) else("else" println)
(if(true, 1, 2) + 10) println
x := 5
(x > 3) ifTrue("big" println) ifFalse("small" println)
i := 0
while(i < 5, i = i + 1)
i println
r := while(i < 8, i = i + 1; i * 10)
r println
for(j, 1, 3, write(j, " "))
"" println
for(j, 10, 1, -3, write(j, " "))
"" println
for(j, 1, 10, if(j == 3, continue); if(j == 6, break); write(j, " "))
"" println
j println
v := for(k, 1, 3, k * 2)
v println
3 repeat("r" print)
"" println
4 repeat(n, n print)
"" println
count := 0
loop(count = count + 1; if(count >= 7, break))
count println
lb := loop(break(99))
lb println
w := 0
while(true, w = w + 1; if(w < 3, continue); break)
w println
list(1, 2, 3, 4) foreach(x, if(x == 3, break); x print)
"" println
s := 0
list(1, 2, 3, 4) foreach(x, if(x isEven, continue); s = s + x)
s println
(true and (1 > 0)) println
(false or nil) println
// loops inside methods, nested loops
tri := method(n, t := 0; for(a, 1, n, for(b, 1, a, t = t + 1)); t)
tri(10) println
// while with a complex condition
a := 0; b := 10
while(a < b and a < 100, a = a + 2; b = b - 1)
list(a, b) println
