// a plain object made activatable runs its activate slot when read from a slot (as C Io),
// with the reader as self; its clones are activatable too; getSlot reads it without running it
Counter := Object clone do(n := 0)
Ticker := Object clone
Ticker activate := method(Counter n = Counter n + 1; self)
Ticker setIsActivatable(true)
holder := Object clone
holder t := getSlot("Ticker")
r := nil
for(i, 1, 200, r = holder t)
Counter n println
(r == holder) println
holder getSlot("t") isActivatable println
T2 := getSlot("Ticker") clone
getSlot("T2") isActivatable println
holder u := getSlot("T2")
(holder u == holder) println
Counter n println
getSlot("Ticker") setIsActivatable(false)
(holder t == getSlot("Ticker")) println
holder u
Counter n println
plain := Object clone
plain setIsActivatable(true)
holder p := getSlot("plain")
(holder p == getSlot("plain")) println
x := Object clone do(activate := 42)
x setIsActivatable(true)
holder x := getSlot("x")
holder x println
