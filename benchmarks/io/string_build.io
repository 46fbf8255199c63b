// string building with a mutable sequence; the number of appends is the first argument
// (default 30000)
n := if(System args size > 1, System args at(1) asNumber, 30000)
s := "" asMutable
for(i, 1, n, s appendSeq("ab"); if(i % 10 == 0, s appendSeq(i asString)))
// expected size: 2 per step, plus the digits of every multiple of 10 up to n, counted by
// number of digits d (multiples of 10 in [10^(d-1), 10^d - 1])
expected := 2 * n
lo := 10; d := 2
while(lo <= n,
    hi := if(lo * 10 - 1 < n, lo * 10 - 1, n)
    expected = expected + d * ((hi / 10) floor - ((lo - 1) / 10) floor)
    lo = lo * 10; d = d + 1
)
if(s size != expected, Exception raise("string_build: wrong result " .. s size))
"string_build ok" println
