// Io-level part of Object (the primitives are in prims_core.py).

Object do(
    asBoolean := true

    //doc Object in(aList) true if the receiver is an element of aList.
    in := method(aList, aList contains(self))

    //doc Object ancestors the protos of the receiver, recursively, without repetitions.
    ancestors := method(
        result := list()
        todo := self protos clone
        while(todo size > 0,
            p := todo removeFirst
            if(result containsIdenticalTo(p) not,
                result append(p)
                todo appendSeq(p protos)
            )
        )
        result
    )

    hasProto := method(p, self isKindOf(p))

    //doc Object isLaunchScript whether the current file is the one given on the command line.
    inspect := method(
        writeln(self asSimpleString, ":")
        self slotNames sort foreach(name,
            writeln("  ", name alignLeft(16), " = ", self getSlot(name) asSimpleString)
        )
        self
    )
)

nil do(
    asBoolean := false
    catch := nil
    pass := nil
)
false asBoolean := false

OperatorTable do(
    addOperator := method(symbol, precedence,
        operators atPut(symbol, if(precedence, precedence, 0))
        self
    )
    addAssignOperator := method(symbol, messageName,
        assignOperators atPut(symbol, messageName)
        self
    )
)

Scheduler := Object clone do(
    yieldingCoros := method(Coroutine yieldingCoros)
    currentCoroutine := method(Coroutine currentCoroutine)
    waitForCorosToComplete := method(while(Coroutine yieldingCoros size > 0, yield))
)

Object do(
    // true when the message was parsed from the file given on the command line
    isLaunchScript := method(call message label == System launchScript)
)
