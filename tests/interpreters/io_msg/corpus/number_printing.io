// C Io's number printing rules
1 println
-1 println
1.5 println
(1/3) println
(2/3) println
(0.1 + 0.2) println
2 sqrt println
1e9 println
2147483647 println
2147483648 println
1e20 println
(0 - 1e20) println
(0 - 2147483649) println
(1/0) println
(0 - 1/0) println
123456.789 println
0.000001 println
(10 / 4) println
(7 % 3) println
(0 - 7 % 3) println
(2 ** 10) println
(2 ** 0.5) println
3.7 floor println
3.2 ceil println
2.5 round println
-2.5 abs println
10 log10 println
(5 max(9)) println
(5 min(9)) println
255 toBase(2) println
255 toBase(16) println
65 asCharacter println
12 isEven println
7 isOdd println
5 between(1, 10) println
(3 compare(4)) println
(4 == 4.0) println
(1 != 2) println
1 sin println
(6 & 3) println
(6 | 3) println
(1 << 4) println
4 factorial println
Number constants pi println
3 asString size println
