// Io-level part of List.

List do(
    asMap := method(
        m := Map clone
        self foreach(pair, m atPut(pair at(0), pair at(1)))
        m
    )
    groupBy := method(
        argName := call message argAt(0) name
        body := call message argAt(1)
        groups := Map clone
        ctx := call sender
        self foreach(x,
            ctx setSlot(argName, x)
            key := body doInContext(ctx) asString
            groups atIfAbsentPut(key, list()) append(x)
        )
        groups
    )
)
