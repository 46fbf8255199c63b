// C Io's scheduling order: a new actor, resumeLater and coroDoLater go to the front of the
// queue; yield sends the current coroutine to the back; pause takes it off the queue
log := Sequence clone
P := Object clone
P step := method(tag, for(i, 1, 2, log appendSeq(tag, i asString, "."); yield))
P clone @@step("a")
yield
P clone @@step("b")
yield; yield; yield; yield
log println

// an actor that pauses runs again only when resumed
log = Sequence clone
o := Object clone
o work := method(
    j := 1
    loop(
        log appendSeq("w", j asString, ".")
        if(j % 2 == 0, pause)
        j = j + 1
        if(j > 6, break)
    )
)
o @@work
for(i, 1, 4,
    yield
    log appendSeq("m", i asString, ".")
    if(i == 2, o actorCoroutine recentInChain resumeLater)
)
log println
(o actorCoroutine recentInChain == o actorCoroutine) println
o actorCoroutine isFinished println
(o hasLocalSlot("actorCoroutine")) println

// coroDoLater: ahead of coroutines already waiting
log = Sequence clone
coroDoLater(log appendSeq("first."); yield; log appendSeq("first-again."))
coroDoLater(log appendSeq("second."))
yield
log appendSeq("main.")
yield
log println

// an idle actor's next message puts it at the front again
log = Sequence clone
q := Object clone do(note := method(s, log appendSeq(s, ".")))
q @@note("x")
yield
coroDoLater(log appendSeq("later."))
q @@note("y")
yield
yield
log println
