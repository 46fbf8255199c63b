// Io-level part of Map.

Map do(
    keysSorted := method(self keys sort)
    atIfAbsent := method(key,
        if(self hasKey(key), self at(key), call evalArgAt(1))
    )
    asString := method(
        s := "{" asMutable
        first := true
        self keys foreach(k,
            if(first, first = false, s appendSeq(", "))
            s appendSeq(k, ": ", self at(k) asString)
        )
        s appendSeq("}")
        s asString
    )
)
