// lazy arguments and the call object
unless := method(cond,
    if(cond not, call evalArgAt(1), call evalArgAt(2))
)
unless(false, "ran" println, "skipped" println)
unless(true, "ran" println, "skipped" println)
lazy := method(call message arguments size)
lazy(a b c, undefined stuff) println
argNames := method(call message arguments map(code))
argNames(x + 1, foo bar) println
who := method(call message name)
who println
Obj := Object clone
Obj who := method(call target == Obj)
Obj who println
senderTest := method(call sender hasLocalSlot("marker"))
outer := method(marker := 1; senderTest)
outer println
act := method(call activated type)
act println
// evaluate an argument twice in the caller's context
twice := method(call evalArgAt(0); call evalArgAt(0))
n := 0
twice(n = n + 1)
n println
// call argCount and evalArgs
cnt := method(call argCount)
cnt(1, 2, 3) println
ea := method(call evalArgs)
ea(1 + 1, "a" .. "b") println
// my own control structure: myWhile
myWhile := method(
    loop(
        if(call evalArgAt(0) not, break)
        call evalArgAt(1)
    )
)
k := 0
myWhile(k < 3, write(k); k = k + 1)
"" println
// delegateTo
Target := Object clone do(greet := method(who, "hello " .. who))
Proxy := Object clone do(greet := method(who, call delegateTo(Target)))
Proxy greet("bob") println
// perform
5 perform("+", 3) println
list(3, 1, 2) perform("sort") println
5 performWithArgList("-", list(1)) println
// message objects
m := message(1 + 2)
m println
m name println
m next println
m arguments println
m doInContext(Lobby) println
(m argAt(0)) println
m2 := message(foo(1, 2) bar)
m2 argCount println
m2 next name println
Message fromString("a b(c)") code println
"3 * 4" asMessage doInContext println
doString("10 + 5") println
