OperatorTable addOperator("+++", 3)
Number +++ := method(n, self + n * 2)
doString("1 +++ 2 * 3") println
OperatorTable operators at("+") println
OperatorTable operators at("**") println
OperatorTable addAssignOperator("<-", "setSlot")
doString("zz <- 5; zz") println
// squareBrackets and curlyBrackets are ordinary messages
Object squareBrackets := method(call evalArgs)
[1, 2 + 3] println
Object curlyBrackets := method(m := Map clone; call message arguments foreach(a, m atPut(a name, 1)); m)
{x, y} keys sort println
// syntax errors are reported with file:line:col
e := try(doString("foo(1, 2", "snippet.io"))
e error println
e := try(doString("a := ", "snippet.io"))
e error println
e := try(doString("x := \"unterminated", "s.io"))
e error println
e := try(doString("list(1,,2)", "s.io"))
e error println
