// Exceptions: raise / try / catch / pass.  Raising unwinds the Python stack; each method
// activation it passes through adds a frame to the Io-level stack shown when it is uncaught.

Exception do(
    newSlot("error")
    newSlot("coroutine")
    newSlot("caughtMessage")
    newSlot("nestedException")
    newSlot("originalCall")

    raise := method(error, nestedException,
        rawRaise(self clone setError(error) setNestedException(nestedException) setCoroutine(Coroutine currentCoroutine))
    )

    raiseFrom := method(originalCall, error, nestedException,
        rawRaise(self clone setError(error) setNestedException(nestedException) setOriginalCall(originalCall) setCoroutine(Coroutine currentCoroutine))
    )

    catch := method(exceptionProto,
        if(self isKindOf(exceptionProto), call evalArgAt(1); nil, self)
    )

    pass := method(rawRaise(self))

)

Error := Exception clone
