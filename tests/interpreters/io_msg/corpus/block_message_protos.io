// Block and Message protos are a block and a message (as in C Io): their clones work as such
b := Block clone setMessage(message(x * y)) setArgumentNames(list("x", "y"))
b call(6, 7) println
getSlot("b") type println
getSlot("b") code println
m := Message clone
m name println
(m == Message) println
m setName("hello") name println
Message name println

// a block with no scope prints (and acts) as a method; with one, as a block
k := block(a, a + 1)
getSlot("k") code println
getSlot("k") setScope(nil)
getSlot("k") code println
getSlot("k") setScope(Lobby)
getSlot("k") code println
method(1) asSimpleString println
e := try(block(1) setMessage)
e error println

// setScope after the block ran many times (compiled code must see the new scope)
A := Object clone do(v := "A")
B := Object clone do(v := "B")
sb := block(v)
sb setScope(A)
getSlot("sb") setIsActivatable(true)
o := Object clone
o setSlot("m", getSlot("sb"))
r := list()
for(i, 1, 40,
    if(i == 20, getSlot("sb") setScope(B))
    r append(o m)
)
r join println
