// Range: the numbers from first to last (both included) by increment, as C Io's Range.
// `1 to(5)`, `10 to(1)` (counts down), `0 toBy(1, 0.25)`, `Range clone setRange(1, 9, 2)`.

Range := Object clone do(
    type := "Range"
    first := 0
    last := 0
    increment := 1
    index := 0

    setRange := method(start, end, step,
        if(step isNil, step = if(end < start, -1, 1))
        if(step == 0, Exception raise("Range setRange: increment must not be 0"))
        self first := start
        self last := end
        self increment := step
        self index := 0
        self
    )

    size := method(
        n := ((last - first) / increment) floor + 1
        if(n < 0, 0, n)
    )
    at := method(i,
        if(i < 0 or i >= self size, nil, first + i * increment)
    )
    contains := method(v,
        if(increment > 0, v >= first and v <= last, v <= first and v >= last) and(
            ((v - first) / increment) == ((v - first) / increment) floor)
    )
    value := method(self at(index))
    rewind := method(self index := 0; self)
    next := method(
        if(index + 1 < self size, self index := index + 1; self, nil)
    )
    previous := method(
        if(index > 0, self index := index - 1; self, nil)
    )

    // foreach(value, body) or foreach(index, value, body): the body runs in the caller's
    // context with the named slots set, as List foreach does
    foreach := method(
        ctx := call sender
        argc := call message arguments size
        body := call message argAt(argc - 1)
        valueName := call message argAt(argc - 2) name
        indexName := if(argc > 2, call message argAt(0) name, nil)
        i := 0
        result := nil
        for(v, first, last, increment,
            if(indexName, ctx setSlot(indexName, i))
            ctx setSlot(valueName, v)
            result = body doInContext(ctx)
            i = i + 1
        )
        result
    )
    asList := method(
        l := list()
        for(v, first, last, increment, l append(v))
        l
    )
    map := method(
        ctx := call sender
        name := call message argAt(0) name
        body := call message argAt(1)
        l := list()
        for(v, first, last, increment, ctx setSlot(name, v); l append(body doInContext(ctx)))
        l
    )
    select := method(
        ctx := call sender
        name := call message argAt(0) name
        body := call message argAt(1)
        l := list()
        for(v, first, last, increment, ctx setSlot(name, v); if(body doInContext(ctx), l append(v)))
        l
    )
    asString := method(
        "Range(" .. first asString .. ", " .. last asString .. ", " .. increment asString .. ")"
    )
)

Number to := method(end, Range clone setRange(self, end))
Number toBy := method(end, step, Range clone setRange(self, end, step))
