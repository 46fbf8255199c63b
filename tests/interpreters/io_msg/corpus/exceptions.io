e := try(Exception raise("boom"))
e type println
e error println
e := try(1 + 1)
e println
r := try(Exception raise("x")) catch(Exception, "caught it" println)
r println
MyError := Exception clone
e := try(MyError raise("mine"))
e type println
e isKindOf(Exception) println
e catch(MyError, "caught MyError" println)
e2 := try(Exception raise("generic"))
x := e2 catch(MyError, "wrong" println)
(x == e2) println
// pass re-raises to the outer try
outer := try(
    inner := try(MyError raise("deep"))
    inner catch(Exception, inner pass)
)
outer error println
// errors from primitives are exceptions too
e := try(1 + "a")
e error println
e := try(Object noSuchMethod)
e error println
e := try(nil foo)
e error println
e := try(list(1) at("x"))
e error println
// raise inside methods
check := method(n, if(n < 0, Exception raise("negative: " .. n)); n sqrt)
check(16) println
try(check(-1)) error println
// exceptions propagate through loops and methods
f := method(for(i, 1, 10, if(i == 3, Exception raise("stop at " .. i))))
try(f) error println
// ensure-like pattern
log := list()
try(log append("start"); Exception raise("oops"); log append("never"))
log append("after")
log println
// nested exception
e := try(Exception raise("outer", try(Exception raise("inner"))))
e nestedException error println
