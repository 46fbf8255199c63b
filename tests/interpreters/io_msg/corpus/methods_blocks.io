add := method(a, b, a + b)
add(2, 3) println
// blocks capture their defining context
makeCounter := method(
    n := 0
    block(n = n + 1; n)
)
c := makeCounter
c call println
c call println
c call println
b := block(x, y, x * y)
b call(6, 7) println
b argumentNames println
b callWithArgList(list(2, 5)) println
// methods see self, blocks see the context they were made in
Obj := Object clone
Obj val := 10
Obj get := method(self val)
Obj getter := method(block(val))
Obj get println
Obj getter call println
// return, early exit
firstBig := method(l, l foreach(x, if(x > 10, return x)); nil)
firstBig(list(1, 20, 30)) println
firstBig(list(1, 2)) println
// blocks as values, activatable methods
m := method(42)
getSlot("m") type println
m println
blk := block(1)
blk type println
blk isActivatable println
getSlot("m") isActivatable println
// recursion
fact := method(n, if(n <= 1, 1, n * fact(n - 1)))
fact(10) println
fib := method(n, if(n < 2, n, fib(n - 1) + fib(n - 2)))
fib(15) println
// a block's message can be inspected
block(a, a + 1) message code println
block(a, a + 1) argumentNames println
// setIsActivatable
blk2 := block(99)
blk2 setIsActivatable(true)
Lobby blkSlot := getSlot("blk2")
blkSlot println
// thisContext
ctx := method(thisContext hasLocalSlot("q")) 
ctx println
withLocal := method(q := 1; thisContext hasLocalSlot("q"))
withLocal println
// self inside nested blocks
Thing := Object clone do(
    name := "thing"
    run := method(list(1, 2) map(x, name .. x))
)
Thing run println
