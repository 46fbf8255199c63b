// string building with a mutable sequence
s := "" asMutable
for(i, 1, 30000, s appendSeq("ab"); if(i % 10 == 0, s appendSeq(i asString)))
if(s size != 73893, Exception raise("string_build: wrong result " .. s size))
"string_build ok" println
