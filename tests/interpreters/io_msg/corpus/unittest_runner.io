// UnitTest: per-test lines and a summary; failures are reported, not fatal
CounterTest := UnitTest clone do(
    setUp := method(self n := 10)
    tearDown := method(self n := nil)
    testAddition := method(assertEquals(12, n + 2))
    testWrongOnPurpose := method(assertEquals(11, n + 2))
    testNotEquals := method(assertNotEquals(1, 2))
    testTrueFalseNil := method(
        assertTrue(n > 1)
        assertFalse(n < 1)
        assertNil(nil)
        assertNotNil(n)
    )
    testSame := method(
        l := list(1)
        assertSame(l, l)
        assertNotSame(l, list(1))
        assertSame("abc", "ab" .. "c")
    )
    testRaises := method(
        assertRaisesException(Exception raise("boom"))
        assertRaisesException(nil foo)
    )
    testRaisesButDoesNot := method(assertRaisesException(1 + 1))
    testFail := method(fail("explicit failure"))
    testDelta := method(assertEqualsWithinDelta(1, 1.05, 0.1))
    notATest := method(fail("must not run"))
)
OtherTest := UnitTest clone do(
    testRunsToo := method(assertEquals("ab", "a" .. "b"))
)
failures := FileCollector run
failures size println
failures map(at(0)) println
// one case on its own
(OtherTest run size) println
