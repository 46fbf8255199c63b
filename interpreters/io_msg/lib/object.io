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

// how an expression ended, as answered by stopStatus(expr) and used by call setStopStatus
StopStatus := Object clone do(
    stopLooping := false
    isReturn := false
    value := nil
)
Normal := StopStatus clone
Break := StopStatus clone do(stopLooping := true)
Continue := StopStatus clone
Return := StopStatus clone do(stopLooping := true; isReturn := true)

Object do(
    // x switch(v1, r1, v2, r2, ..., default): the result for the first vi == x (only that
    // one is evaluated), else the default (nil without one); break, continue and return in
    // the results act on the caller
    switch := method(
        args := call message arguments
        n := args size
        i := 0
        found := nil
        while(found isNil and i + 1 < n,
            if(call evalArgAt(i) == self, found = i + 1)
            i = i + 2
        )
        if(found isNil and i < n, found = i)
        if(found, call evalArgAt(found), nil)
    ) setPassStops(true)

    // lazySlot(name, expr): the slot computes expr once, when first read
    lazySlot := method(
        name := call evalArgAt(0)
        code := call argAt(1)
        ctx := self
        obj := self
        compute := block(
            v := code doInContext(ctx)
            obj setSlot(name, getSlot("v"))
            getSlot("v")
        )
        self setSlot(name, getSlot("compute") setIsActivatable(true))
        nil
    )

    // foreachSlot(name, value, body): body for each slot of the receiver (break, continue
    // and return in it behave as in a loop of the caller)
    foreachSlot := method(
        kName := call argAt(0) name
        vName := call argAt(1) name
        obj := self
        ctx := call sender
        obj slotNames foreach(n,
            ctx setSlot(kName, n)
            ctx setSlot(vName, obj getSlot(n))
            call evalArgAt(2)
        )
    ) setPassStops(true)

    // addTrait(obj, renames): copy obj's slots into the receiver; a slot already here is a
    // conflict (an exception) unless the renames Map gives it another name
    addTrait := method(trait, renames,
        if(call argCount == 0, Exception raise("addTrait requires a trait object"))
        if(renames isNil, renames = Map clone)
        trait slotNames foreach(name,
            if(name != "type",
                newName := renames at(name)
                if(newName isNil, newName = name)
                if(self hasLocalSlot(newName),
                    Exception raise("addTrait: slot '" .. newName .. "' already exists"))
                self setSlot(newName, trait getSlot(name))
            )
        )
        self
    )
)
