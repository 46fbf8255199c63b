// operator precedence and the shuffled message trees
(1 + 2 * 3) println
(2 * 3 + 1) println
(10 - 4 - 3) println
(2 ** 3 ** 2) println
(1 + 2 == 3) println
(1 < 2 and 3 < 2) println
(1 < 2 or 3 < 2) println
(7 % 4 + 1) println
message(a + b * c - d / e) code println
message(a := b c; d = e) code println
message(A ::= 3) code println
message(Foo := 1) code println
message(1 + (2) * 3) code println
message(x foo(1, 2) bar) code println
message(return a + b) code println
message(a ?b) code println
message(-5) code println
x := - 5
x println
(- 2 + 3) println
y := 3; y = y + 1; y println
message(if(a, b, c)) arguments size println
message([1, 2]) code println
message({a}) code println
message(f(a)(b)) code println
