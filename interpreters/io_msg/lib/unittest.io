// UnitTest: test cases are clones of UnitTest whose slots named test* are the tests.
// Each test runs between setUp and tearDown; an assertion that does not hold raises an
// exception, which fails that test only.  `FileCollector run` runs every UnitTest clone found
// in the Lobby (what `metatrace io --test FILE.io` does after loading the file), `SomeTest run`
// runs just one.  Both print one line per test and a summary, and answer the list of failures.

TestRunner := Object clone do(
    newSlot("cases", nil)
    newSlot("failures", nil)
    newSlot("passed", 0)

    init := method(
        self cases := nil
        self failures := List clone
        self passed := 0
    )

    testCount := method(
        n := 0
        cases foreach(c, n = n + c at(1) size)
        n
    )

    // cases: a list of pairs list(aUnitTest, listOfTestSlotNames)
    run := method(caseList,
        self cases := caseList
        started := Date now asNumber
        caseList foreach(pair,
            testCase := pair at(0)
            pair at(1) foreach(name,
                runOne(testCase, name)
            )
        )
        self runtime := Date now asNumber - started
        printSummary
        failures
    )

    runOne := method(testCase, name,
        label := testCase type .. " " .. name
        exc := try(
            testCase setUp
            testCase perform(name)
        )
        if(exc isNil,
            exc = try(testCase tearDown)
        ,
            try(testCase tearDown)
        )
        if(exc,
            failures append(list(label, exc))
            ("FAIL " .. label .. ": " .. exc error asString) println
        ,
            self passed = passed + 1
            ("ok   " .. label) println
        )
    )

    printSummary := method(
        "-" repeated(70) println
        n := testCount
        ("Ran " .. n .. " test" .. if(n != 1, "s", "") .. ": " .. passed .. " passed, " ..
            failures size .. " failed") println
        if(failures isEmpty, "OK" println, ("FAILED (failures " .. failures size .. ")") println)
    )
)

UnitTest := Object clone do(
    setUp := method(nil)
    tearDown := method(nil)

    // the test* slots of this test case, in source order
    testSlotNames := method(
        names := self slotNames select(n, n beginsWithSeq("test"))
        names select(n, self getSlot(n) type == "Block") sortByKey(n,
            self getSlot(n) message lineNumber)
    )

    prepare := method(list(list(self, testSlotNames)))

    run := method(TestRunner clone run(prepare))

    fail := method(error,
        Exception raise(if(error, error, "fail"))
    )

    assertEquals := method(a, b, m,
        if(m isNil, m = call message)
        if(a != b,
            fail("`" .. m argAt(0) asString .. " != " .. m argAt(1) asString .. "` --> `" ..
                a asSimpleString .. " != " .. b asSimpleString .. "`")
        )
    )

    assertNotEquals := method(a, b, m,
        if(m isNil, m = call message)
        if(a == b,
            fail("`" .. m argAt(0) asString .. " == " .. m argAt(1) asString .. "` --> `" ..
                a asSimpleString .. " == " .. b asSimpleString .. "`")
        )
    )

    assertSame := method(a, b, assertEquals(getSlot("a") uniqueId, getSlot("b") uniqueId, call message))
    assertNotSame := method(a, b, assertNotEquals(getSlot("a") uniqueId, getSlot("b") uniqueId, call message))
    assertNil := method(a, assertEquals(getSlot("a"), nil, call message))
    assertNotNil := method(a, assertNotEquals(getSlot("a"), nil, call message))
    assertTrue := method(a, assertEquals(getSlot("a"), true, call message))
    assertFalse := method(a, assertEquals(getSlot("a"), false, call message))

    assertRaisesException := method(
        if(try(call evalArgAt(0)) isNil,
            fail("`" .. call argAt(0) asString .. "` should have raised an exception")
        )
    )

    knownBug := method(
        fail("`" .. call argAt(0) asString .. "` is a known bug")
    )

    assertEqualsWithinDelta := method(expected, actual, delta,
        if((expected - actual) abs > delta,
            fail(expected asString .. " expected, but was " .. actual asString ..
                " (allowed delta: " .. delta asString .. ")")
        )
    )
)

// every UnitTest clone held by a Lobby slot, in the order they were defined
FileCollector := Object clone do(
    prepare := method(
        cases := list
        Lobby slotNames foreach(name,
            v := Lobby getSlot(name)
            if(getSlot("v") isActivatable not and getSlot("v") != UnitTest and
               getSlot("v") isKindOf(UnitTest) and v hasLocalSlot("type") and
               v type == name,
                cases appendSeq(v prepare)
            )
        )
        cases
    )

    run := method(TestRunner clone run(prepare))
)
