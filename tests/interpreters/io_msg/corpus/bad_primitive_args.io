// primitives given input they cannot handle raise Io exceptions that try/catch can catch
show := method(label, code,
    e := try(doString(code))
    if(e, writeln(label, " -> ", e type, ": ", e error), writeln(label, " -> no exception"))
)
show("a Message primitive on an Object", "Object clone do(setSlot(\"f\", Message getSlot(\"name\"))) f")
show("Block setMessage(nil)", "Block clone setMessage(nil)")
show("swapIndices out of range", "list(1,2,3) swapIndices(0, 3)")
show("swapIndices negative", "list(1,2,3) swapIndices(-1, 0)")
show("reduce without arguments", "list(1,2,3) reduce")
show("reduce with two arguments", "list(1,2,3) reduce(a, b)")
show("allSatisfy without arguments", "list(1,2,3) allSatisfy")
show("a List primitive on an Object", "Object clone do(setSlot(\"f\", List getSlot(\"size\"))) f")
show("Date - on the Date proto", "Date - 1")
show("string at NaN", "\"abc\" at(0/0)")
show("append a bad character code", "\"abc\" asMutable append(-1)")
show("shift by a negative count", "1 << -1")
show("bitwise and of NaN", "(0/0) & 1")
show("repeat NaN times", "(0/0) repeat(\"never\" println)")
show("for with a NaN bound", "for(i, 1, 0/0, \"never\" println)")
(0/0) isEven println
// catch by proto, and the normal answers still work
e := try(list(1,2,3) swapIndices(0, 3))
e catch(Exception, ("caught: " .. e error) println)
list(1,2,3) swapIndices(0, 2) println
list(1,2,3) reduce(a, b, a + b) println
// in a loop, so that the JIT (when on) compiles the path that raises
n := 0
for(i, 0, 60, e := try(list(1,2,3) swapIndices(0, i % 5)); if(e, n = n + 1))
n println
