// stopStatus, call setStopStatus, switch, foreachSlot, lazySlot, addTrait
stopStatus(1 + 1) type println
stopStatus(1 + 1) value println
list(1) foreach(stopStatus(break) type println)
list(1) foreach(stopStatus(continue) type println)
f := method(s := stopStatus(return 7); list(s type, s value, s isReturn, s stopLooping))
f println
// a foreach written in Io that passes break/continue/return on, as a built-in loop does
List each := method(
    name := call argAt(0) name
    body := call argAt(1)
    self foreach(v,
        call sender setSlot(name, v)
        ss := stopStatus(result := call sender doMessage(body, call sender))
        if(ss stopLooping, break)
    )
    if(ss isReturn, call setStopStatus(ss))
    result
)
r := list; list(1, 2, 3, 4) each(v, if(v == 3, break); r append(v)); r println
r := list; list(1, 2, 3, 4) each(v, if(v == 2, continue); r append(v)); r println
g := method(list(1, 2, 3) each(v, if(v == 2, return "returned " .. v)); "fell through")
g println
// switch
list(1, 2, 9) map(x, x switch(1, "one", 2, "two", "other")) println
list(1, 5) map(x, x switch(1, "one")) println
h := method(2 switch(1, "a", 2, return "early"); "late")
h println
// foreachSlot
o := Object clone do(a := 1; b := 2; c := 3)
r := list; o foreachSlot(k, v, if(k == "b", continue); r append(k .. "=" .. v)); r println
// lazySlot
o count := 0
o lazySlot("big", count = count + 1; 99)
list(o count, o big, o big, o count) println
// addTrait
T := Object clone do(greet := method("hi from " .. name))
P := Object clone do(name := "P")
P addTrait(T)
P greet println
Q := Object clone do(greet := "own"; name := "Q")
try(Q addTrait(T)) error println
Q addTrait(T, Map clone atPut("greet", "traitGreet"))
list(Q greet, Q traitGreet) println
