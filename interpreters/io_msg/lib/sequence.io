// Io-level part of Sequence.

Sequence do(
    isUppercase := method(self == self asUppercase)
    isLowercase := method(self == self asLowercase)
    first := method(if(self size > 0, self exSlice(0, 1), nil))
    last := method(if(self size > 0, self exSlice(-1), nil))
    removePrefix := method(p, if(self beginsWithSeq(p), self exSlice(p size), self))
    removeSuffix := method(s, if(self endsWithSeq(s), self exSlice(0, self size - s size), self))
    asStripped := method(self asMutable strip asString)
    lines := method(self split("\n"))
    with := method(
        s := self asMutable
        call evalArgs foreach(a, s appendSeq(a))
        s
    )
)
