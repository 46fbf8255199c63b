// list building and traversal; the list's length is the first argument (default 100000)
n := if(System args size > 1, System args at(1) asNumber, 100000)
l := list()
for(i, 1, n, l append(i * 2))
s := 0
l foreach(v, s = s + v)
if(s != n * (n + 1), Exception raise("list_build: wrong result " .. s))
"list_build ok" println
