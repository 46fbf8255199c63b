// Io-level part of Sequence.

Sequence do(
    // the list a List asEncodedList encoded
    asDecodedList := method(List fromEncodedList(self))
    isUppercase := method(self == self asUppercase)
    isLowercase := method(self == self asLowercase)
    first := method(if(self size > 0, self exSlice(0, 1), nil))
    last := method(if(self size > 0, self exSlice(-1), nil))
    removePrefix := method(p, if(self beginsWithSeq(p), self exSlice(p size), self))
    removeSuffix := method(s, if(self endsWithSeq(s), self exSlice(0, self size - s size), self))
    asStripped := method(self asMutable strip asString)
    lines := method(self split("\n"))
    // alignCenter(width, pad): centred, the extra pad on the right; never truncates
    alignCenter := method(width, pad,
        if(pad isNil or pad size == 0, pad = " ")
        n := width - self size
        if(n <= 0, return self asString)
        left := (n / 2) floor
        ("" alignLeft(left, pad) .. self) alignLeft(width, pad)
    )
    with := method(
        s := self asMutable
        call evalArgs foreach(a, s appendSeq(a))
        s
    )
)

// Path with("a/", "/b"): the components joined by single slashes
Path := Object clone do(
    // alignCenter(width, pad): centred, the extra pad on the right; never truncates
    alignCenter := method(width, pad,
        if(pad isNil or pad size == 0, pad = " ")
        n := width - self size
        if(n <= 0, return self asString)
        left := (n / 2) floor
        ("" alignLeft(left, pad) .. self) alignLeft(width, pad)
    )
    with := method(
        parts := call evalArgs
        s := "" asMutable
        parts foreach(i, p,
            p := p asString
            if(i > 0 and s endsWithSeq("/") and p beginsWithSeq("/"), p = p exSlice(1))
            if(i > 0 and s size > 0 and (s endsWithSeq("/") or p beginsWithSeq("/")) not, s appendSeq("/"))
            s appendSeq(p)
        )
        s asString
    )
)

Object isOnWindows := method(System platform asLowercase containsSeq("windows"))
