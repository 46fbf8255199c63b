// List select/detect/map/reduce/groupBy bind their loop names in a context of their own
// (whose proto is the caller's), as C Io does: the names do not stay in the caller's locals.
Tester := Object clone do(
    offset := 10
    run := method(
        l := list(3, 1, 2)
        l select(v, v > 1) println
        l select(i, v, i > 0) println
        l detect(i, v, v == 1) println
        l map(v, v + offset) println
        l map(i, v, i * v + self offset) println
        l reduce(a, b, a + b) println
        l reverseReduce(a, b, a - b) println
        l reduce(a, b, a + b, 100) println
        list(3, 1, 2) mapInPlace(v, v * 2) println
        list(3, 1, 2) selectInPlace(v, v != 1) println
        // `:=` in the body stays in the loop's context too
        l map(v, tmp := v; tmp) println
        // names the caller does not have stay absent
        list("v", "i", "a", "b", "tmp") map(n, call sender hasLocalSlot(n)) println
        // `=` on a caller's variable reaches the caller
        seen := 0
        l select(v, seen = seen + v; true)
        seen println
        // the caller's variable of the same name is left as it was
        v := "mine"
        l detect(v, v == 2) println
        v println
        // groupBy, all three forms; keys are the values as strings
        g := list("a", "b", "cd") groupBy(size)
        g keys sort println
        g at("1") println
        list("a", "b", "cd") groupBy(s, s containsSeq("c")) at("true") println
        list("a", "b", "cd") groupBy(i, s, i == 1) at("false") println
        e := try(list(1) groupBy)
        e error println
    )
)
Tester run
// lists compare by size first, then item by item (as C Io's List compare)
list(list("cd"), list("a", "b"), list("b")) sort println
(list(9) < list(1, 1)) println
(list(1, 2) < list(1, 3)) println
// both loop names the same: the second binding wins, as with C Io's two setSlots
list(1, 2, 3) reduce(a, a, a + a) println
list(1, 2, 3) map(v, v, v * 2) println
