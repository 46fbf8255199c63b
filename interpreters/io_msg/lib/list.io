// Io-level part of List.

List do(
    asMap := method(
        m := Map clone
        self foreach(pair, m atPut(pair at(0), pair at(1)))
        m
    )
)

List do(
    // sortByKey(x, expr): a sorted copy, ordered by the value of expr for each element x
    sortByKey := method(
        argName := call message argAt(0) name
        body := call message argAt(1)
        ctx := call sender
        keyed := self map(x,
            ctx setSlot(argName, getSlot("x"))
            list(body doInContext(ctx), getSlot("x")))
        keyed sortBy(block(a, b, a at(0) < b at(0))) map(p, p at(1))
    )
)
