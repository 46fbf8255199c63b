// List asEncodedList / fromEncodedList (C Io's binary form): nils, Numbers (as float32) and
// Sequences are copied; other objects go by the ids the caller's referenceIdForObject gives
e := list(1, "test", nil, "foo", 3, -2.5, "héllo", "") asEncodedList
e size println
e at(0) println
e asDecodedList println
list(0.1) asEncodedList asDecodedList first println
list() asEncodedList size println
Registry := Object clone do(
    objs := list()
    referenceIdForObject := method(o, objs append(o); objs size - 1)
    objectForReferenceId := method(id, objs at(id))
)
Registry do(
    thing := Object clone do(name := "thing")
    enc := list(1, thing, "x") asEncodedList
    dec := List fromEncodedList(enc)
    (dec at(1) == thing) println
    dec at(2) println
)
e2 := try(list(Object clone) asEncodedList)
e2 error println
