// coroutines: yield switches round-robin between runnable coroutines
Worker := Object clone
Worker run := method(name, n,
    for(i, 1, n, writeln(name, " ", i); yield)
    name
)
w1 := Worker clone
w2 := Worker clone
w1 @@run("a", 3)
w2 @@run("b", 3)
"main before yield" println
Scheduler waitForCorosToComplete
"main after" println
// futures: @ returns a future that waits when used
Calc := Object clone
Calc square := method(x, x * x)
f := Calc clone @square(7)
"future sent" println
f println
(f waitOnResult + 1) println
// coroDo starts a coroutine immediately
c := coroDo(writeln("in coro"); yield; writeln("coro again"))
"main2" println
yield
"main3" println
c isFinished println
// coroDoLater runs it when the main coroutine yields
coroDoLater("later" println)
"before" println
yield
"after" println
// actors process their messages in order
Acc := Object clone do(total := 0; add := method(n, total = total + n; total))
acc := Acc clone
acc @@add(1)
acc @@add(2)
last := acc @add(3)
last println
acc total println
