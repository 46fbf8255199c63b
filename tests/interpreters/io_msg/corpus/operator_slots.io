// operator slots defined with every assignment form, used with operator precedence
Vec := Object clone do(
    x ::= 0
    y ::= 0
    with := method(a, b, Vec clone setX(a) setY(b))
    + := method(o, Vec with(x + o x, y + o y))
    - := method(o, Vec with(x - o x, y - o y))
    == := method(o, x == o x and y == o y)
    < := method(o, (x * x + y * y) < (o x * o x + o y * o y))
    asString := method("Vec(" .. x .. ", " .. y .. ")")
)
Vec setSlot("*", method(k, Vec with(x * k, y * k)))
a := Vec with(1, 2)
b := Vec with(3, 4)
(a + b) asString println
(a + b * 2) asString println
(b - a) asString println
(a == Vec with(1, 2)) println
(a == b) println
(a < b) println
(b < a) println
(a + b == Vec with(4, 6)) println
Vec updateSlot("-", method(o, "minus replaced"))
(a - b) println
e := try(Vec updateSlot("nosuch", 1))
(e != nil) println
// custom operators: precedence given to addOperator applies to code parsed afterwards
OperatorTable addOperator("+++", 3)
OperatorTable addOperator("<=>", 5)
doString("Vec +++ := method(o, Vec with(x * 10 + o x, y * 10 + o y))")
doString("(a +++ b) asString println")
doString("(a +++ b * 2) asString println")
Number <=> := method(o, if(self < o, -1, if(self > o, 1, 0)))
doString("(3 <=> 5) println; (5 <=> 5) println; (1 + 8 <=> 5) println")
OperatorTable addAssignOperator("<-", "updateSlot")
c := 1
doString("c <- 42")
c println
// a left side with arguments is passed to the setter unevaluated
o := Object clone
o setSlot := method(call argAt(0) asString .. " gets " .. call evalArgAt(1))
(o f(1, 2) := 3 + 4) println
// syntax errors still say file:line:col
e := try(doString(":= 3", "ops.io"))
e error println
e := try(doString("x := (1,", "ops.io"))
e error println
