// deep recursion works (the interpreter runs on a big stack)
depth := method(n, if(n == 0, 0, 1 + depth(n - 1)))
depth(20000) println
sumTo := method(n, if(n == 0, 0, n + sumTo(n - 1)))
sumTo(10000) println
// unbounded recursion becomes an Io exception, not a Python traceback
forever := method(n, forever(n + 1))
e := try(forever(0))
e type println
(e error containsSeq("Stack overflow")) println
"still alive" println
