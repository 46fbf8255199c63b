// Range: Number to/toBy, setRange, foreach with and without index, asList, select, map, size, at, contains, break
1 to(3) foreach(x, x println)
10 to(7) foreach(i, x, (i asString .. ":" .. x asString) println)
(0 toBy(1, 0.25) asList) println
(1 to(10) select(x, x % 3 == 0)) println
(1 to(4) map(x, x * x)) println
r := Range clone setRange(1, 9, 2)
r size println
(r at(2)) println
(r contains(5)) println
(r contains(6)) println
r asString println
s := 0
1 to(100000) foreach(k, s = s + k)
s println
1 to(5) foreach(v, if(v == 3, break); v println)
